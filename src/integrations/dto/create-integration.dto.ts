import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, ValidateIf } from 'class-validator';

export class CreateIntegrationDto {
  @ApiProperty({ example: 'webshop-nl', minLength: 1, maxLength: 128 })
  @IsString()
  @Length(1, 128)
  name: string;

  @ApiPropertyOptional({
    example: 'test',
    nullable: true,
    description: 'Provider account used when no routing rule matches',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Length(1, 64)
  defaultProviderAccountId?: string | null;

  @ApiPropertyOptional({
    example: 'webshop-backend',
    nullable: true,
    description: 'OIDC client id whose access tokens act as this integration on the payment API',
  })
  @IsOptional()
  @ValidateIf((_, value) => value !== null)
  @IsString()
  @Length(1, 255)
  oidcClientId?: string | null;
}
