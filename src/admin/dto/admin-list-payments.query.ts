import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
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
}
