import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'amount.currency' })
  field: string;

  @ApiProperty({ example: 'must be an ISO 4217 currency code, e.g. EUR' })
  message: string;
}

/** RFC 9457 problem details, the body of every error. */
export class ProblemDetailsDto {
  @ApiProperty({ example: 'https://paymentserver.dev/problems/validation-failed' })
  type: string;

  @ApiProperty({ example: 'Validation failed' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'amount.currency: must be an ISO 4217 currency code, e.g. EUR' })
  detail: string;

  @ApiProperty({ example: 'validation_failed' })
  code: string;

  @ApiPropertyOptional({ example: '6f1c2c2e-3b2e-4c38-9a57-0f3c9a4d1e21' })
  correlationId?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];
}
