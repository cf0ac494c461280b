import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Length } from 'class-validator';
import { ListPaymentsQuery } from '../../payments/dto/list-payments.query';

/** The payment API's filters, plus the ones only an operator needs. */
export class AdminListPaymentsQuery extends ListPaymentsQuery {
  @ApiPropertyOptional({ example: 'int_…' })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  integrationId?: string;

  @ApiPropertyOptional({ example: 'mollie' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  provider?: string;

  @ApiPropertyOptional({
    type: Boolean,
    description:
      '`true`: only payments with `needsAttention` set (a capture, cancel or refund open longer than PAYMENTSERVER_RECONCILE_ATTENTION_HOURS); `false`: only those without',
  })
  @IsOptional()
  // A query string carries text: exactly `true` or `false`, anything else is refused.
  @Transform(({ value }: { value: unknown }) =>
    value === 'true' ? true : value === 'false' ? false : value,
  )
  @IsBoolean({ message: 'must be true or false' })
  needsAttention?: boolean;
}
