import { ApiProperty, ApiPropertyOptional, PartialType, OmitType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { IsOptionalNotNull } from '../../common/validation/optional-not-null';

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
  @IsOptionalNotNull()
  @IsObject()
  settings?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description:
      "Overrides the PSP's API base URL (sandboxes, egress proxies, tests); `null`: the PSP's own. Changing it requires `credentials` in the same request (they would otherwise go to the new host). `https` only in production.",
    example: 'https://api.mollie.com',
  })
  @IsOptional()
  @IsUrl(
    { require_protocol: true, protocols: ['http', 'https'], require_tld: false },
    { message: 'must be an absolute http(s) URL' },
  )
  @MaxLength(255)
  baseUrl?: string | null;

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    example: ['int_5tHq2LmN8pQr1sTu3vWx4yZa'],
    description:
      'Integrations that may use this account (forced `providerAccountId`, routing targets, fallbacks, defaults); `null` or absent: every integration',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Length(1, 40, { each: true })
  integrationIds?: string[] | null;

  @ApiPropertyOptional({ default: true, description: "Use the PSP's test environment" })
  @IsOptionalNotNull()
  @IsBoolean()
  testMode?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull()
  @IsBoolean()
  enabled?: boolean;
}

/** Every field optional; `null` only where the create takes it (`baseUrl`, `integrationIds`). */
export class UpdateProviderAccountDto extends PartialType(
  OmitType(CreateProviderAccountDto, ['provider'] as const),
  { skipNullProperties: false },
) {}

export class ProviderAccountDto {
  @ApiProperty({ example: 'pa_7Hq…' }) id: string;
  @ApiProperty({ example: 'mollie' }) provider: string;
  @ApiProperty() name: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) settings: Record<string, unknown>;
  @ApiProperty({ nullable: true, type: String }) baseUrl: string | null;
  @ApiProperty({
    nullable: true,
    type: [String],
    example: ['int_5tHq2LmN8pQr1sTu3vWx4yZa'],
    description: 'Integrations that may use this account; `null`: every integration',
  })
  integrationIds: string[] | null;
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
