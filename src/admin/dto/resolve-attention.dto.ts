import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class ResolveAttentionDto {
  @ApiPropertyOptional({
    example: 'Refunded at mollie by hand, ticket 4711',
    maxLength: 512,
    description: "What the operator did; written to the server's log, not stored on the payment",
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  note?: string;
}
