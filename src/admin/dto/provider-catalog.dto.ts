import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PAYMENT_METHODS, type PaymentMethod } from '../../domain/payment-status';

export class CredentialFieldDto {
  @ApiProperty({ example: 'apiKey', description: 'The key in `credentials`' })
  name: string;
  @ApiProperty({ example: 'API key' })
  label: string;
  @ApiProperty({ description: 'Write-only: never returned, typed in a password field' })
  secret: boolean;
  @ApiProperty()
  required: boolean;
  @ApiPropertyOptional({ description: 'A regular expression the value must match' })
  pattern?: string;
  @ApiPropertyOptional({ description: 'What a value that does not match is told' })
  message?: string;
  @ApiPropertyOptional()
  requiredMessage?: string;
  @ApiPropertyOptional()
  description?: string;
  @ApiPropertyOptional()
  placeholder?: string;
}

export class PaymentFeaturesDto {
  @ApiProperty() manualCapture: boolean;
  @ApiProperty() partialCapture: boolean;
  @ApiProperty() cancel: boolean;
  @ApiProperty() refunds: boolean;
  @ApiProperty() partialRefunds: boolean;
  @ApiProperty() multipleRefunds: boolean;
}

export class MethodCapabilitiesDto extends PaymentFeaturesDto {
  @ApiProperty({ enum: PAYMENT_METHODS, enumName: 'PaymentMethod' })
  method: PaymentMethod;
  @ApiProperty({
    description: "The currencies this method takes at the provider (ISO 4217), or `['any']`",
    type: [String],
    example: ['EUR'],
  })
  currencies: string[];
}

export class ProviderCapabilitiesDto {
  @ApiProperty({
    description: "ISO 4217 codes, or `['any']`",
    type: [String],
    example: ['EUR', 'USD'],
  })
  currencies: string[];
  @ApiProperty({ type: PaymentFeaturesDto, description: 'For a payment without a method' })
  defaults: PaymentFeaturesDto;
  @ApiProperty({ type: [MethodCapabilitiesDto] })
  methods: MethodCapabilitiesDto[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { EUR: 50, JPY: 50 },
    description:
      'The smallest payment the provider takes, per currency, in minor units; routing skips the provider for a smaller one. A currency not listed has no minimum.',
  })
  minimumAmounts: Record<string, number>;
  @ApiProperty({ description: 'The payment status can be fetched from the PSP' })
  polling: boolean;
}

export class ProviderCatalogEntryDto {
  @ApiProperty({ example: 'mollie' })
  name: string;
  @ApiProperty({ example: 'Mollie' })
  label: string;
  @ApiProperty({ description: 'Where to get the credentials, in words' })
  help: string;
  @ApiProperty({ type: [CredentialFieldDto] })
  credentials: CredentialFieldDto[];
  @ApiProperty({ type: ProviderCapabilitiesDto })
  capabilities: ProviderCapabilitiesDto;
}

export class ProviderCatalogDto {
  @ApiProperty({ type: [ProviderCatalogEntryDto] })
  data: ProviderCatalogEntryDto[];
}
