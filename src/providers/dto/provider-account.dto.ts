import { ApiProperty, ApiPropertyOptional, PartialType, OmitType } from '@nestjs/swagger';
import {
  IsBoolean,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';

export class CreateProviderAccountDto {
  @ApiProperty({
    example: 'mollie',
    description: 'test, mollie, multisafepay, adyen, stripe, paypal',
  })
  @IsString()
  @Matches(/^[a-z][a-z0-9_-]{1,31}$/, { message: 'must be a provider name such as mollie' })
  provider: string;

  @ApiProperty({ example: 'Mollie NL' })
  @IsString()
  @Length(1, 128)
  name: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'Write-only; encrypted at rest and never returned. Fields per provider: see the README.',
    example: { apiKey: 'test_…' },
  })
  @IsObject()
  credentials: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { requestTimeoutMs: 10000 },
    description:
      'Per provider (see the README); every account takes `requestTimeoutMs` (100 to 60000, default 10000): how long a call to the PSP may take',
  })
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({
    description: "Overrides the PSP's API base URL (sandboxes, egress proxies, tests)",
    example: 'https://api.mollie.com',
  })
  @IsOptional()
  @IsUrl(
    { require_protocol: true, protocols: ['http', 'https'], require_tld: false },
    { message: 'must be an absolute http(s) URL' },
  )
  @MaxLength(255)
  baseUrl?: string;

  @ApiPropertyOptional({ default: true, description: "Use the PSP's test environment" })
  @IsOptional()
  @IsBoolean()
  testMode?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateProviderAccountDto extends PartialType(
  OmitType(CreateProviderAccountDto, ['provider'] as const),
) {}

export class ProviderAccountDto {
  @ApiProperty({ example: 'pa_7Hq…' }) id: string;
  @ApiProperty({ example: 'mollie' }) provider: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) settings: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String }) baseUrl: string | null;
  @ApiProperty() testMode: boolean;
  @ApiProperty() enabled: boolean;
  @ApiProperty({
    description: 'Register this URL at the PSP',
    example: 'https://pay.example.com/webhooks/mollie/pa_7Hq…',
  })
  webhookUrl: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ProviderAccountListDto {
  @ApiProperty({ type: [ProviderAccountDto] }) data: ProviderAccountDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
