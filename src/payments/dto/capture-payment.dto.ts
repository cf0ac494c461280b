import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, ValidateNested } from 'class-validator';
import { MoneyDto } from '../../common/money/money.dto';

export class CapturePaymentDto {
  @ApiPropertyOptional({ type: MoneyDto, description: 'Default: the whole authorized amount' })
  @IsOptional()
  @ValidateNested()
  @Type(() => MoneyDto)
  amount?: MoneyDto;
}
