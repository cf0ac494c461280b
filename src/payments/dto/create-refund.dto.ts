import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { MoneyDto } from '../../common/money/money.dto';

export class CreateRefundDto {
  @ApiPropertyOptional({ type: MoneyDto, description: 'Default: all that is left to refund' })
  @IsOptional()
  @ValidateNested()
  @Type(() => MoneyDto)
  amount?: MoneyDto;

  @ApiPropertyOptional({ example: 'Customer returned the item', maxLength: 255 })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  reason?: string;
}
