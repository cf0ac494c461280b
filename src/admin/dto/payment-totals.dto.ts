import { ApiProperty, OmitType } from '@nestjs/swagger';
import { MoneyDto } from '../../common/money/money.dto';
import { AdminListPaymentsQuery } from './admin-list-payments.query';

/** The admin payment list's filters, without paging: totals describe every matching payment. */
export class PaymentTotalsQuery extends OmitType(AdminListPaymentsQuery, [
  'limit',
  'cursor',
] as const) {}

export class CurrencyTotalsDto {
  @ApiProperty({ example: 'EUR' }) currency: string;
  @ApiProperty({ example: 42, description: 'Matching payments in this currency' }) count: number;
  @ApiProperty({
    example: 37,
    description:
      'Of those, the ones that were paid (paid, partially_refunded, refunded, charged_back)',
  })
  paidCount: number;
  @ApiProperty({
    type: MoneyDto,
    description: 'Sum of the payment amounts (every status)',
    example: { value: 125000, currency: 'EUR' },
  })
  amount: MoneyDto;
  @ApiProperty({
    type: MoneyDto,
    description: 'Sum of the captured amounts',
    example: { value: 110000, currency: 'EUR' },
  })
  captured: MoneyDto;
  @ApiProperty({
    type: MoneyDto,
    description: 'Sum of the refunded amounts',
    example: { value: 2500, currency: 'EUR' },
  })
  refunded: MoneyDto;
  @ApiProperty({
    type: MoneyDto,
    description: 'captured minus refunded',
    example: { value: 107500, currency: 'EUR' },
  })
  net: MoneyDto;
}

export class PaymentTotalsDto {
  @ApiProperty({ example: 42, description: 'Matching payments, all currencies' }) count: number;
  @ApiProperty({
    type: [CurrencyTotalsDto],
    description: 'One entry per currency, by currency code',
  })
  data: CurrencyTotalsDto[];
}
