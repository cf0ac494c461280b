import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCountryCode } from '../../common/country/country-code';
import { IsCurrencyCode } from '../../common/money/money.dto';
import { ORDER_LINE_TYPES } from '../../domain/order-details';
import type { OrderLineType } from '../../domain/order-details';
import { E164_PHONE, VAT_RATE } from './create-payment.rules';

/** Money on an order line: like `amount`, but a discount line is negative. */
export class LineMoneyDto {
  @ApiProperty({
    description: 'Minor units; negative on a discount line',
    example: 1000,
  })
  @IsInt({ message: 'must be an integer number of minor units' })
  @Min(-Number.MAX_SAFE_INTEGER)
  @Max(Number.MAX_SAFE_INTEGER)
  value: number;

  @ApiProperty({ description: "ISO 4217 currency code: the payment's", example: 'EUR' })
  @IsString()
  @IsCurrencyCode()
  currency: string;
}

export class OrderLineDto {
  @ApiPropertyOptional({ enum: ORDER_LINE_TYPES, default: 'physical' })
  @IsOptional()
  @IsIn(ORDER_LINE_TYPES)
  type?: OrderLineType;

  @ApiProperty({ example: 'LEGO 4440 Forest Police Station', minLength: 1, maxLength: 255 })
  @IsString()
  @Length(1, 255)
  name: string;

  @ApiProperty({ example: 2, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  quantity: number;

  @ApiProperty({ type: LineMoneyDto, example: { value: 500, currency: 'EUR' } })
  @IsObject()
  @ValidateNested()
  @Type(() => LineMoneyDto)
  unitPrice: LineMoneyDto;

  @ApiProperty({
    type: LineMoneyDto,
    description: 'quantity × unitPrice, VAT included; the lines add up to `amount`',
    example: { value: 1000, currency: 'EUR' },
  })
  @IsObject()
  @ValidateNested()
  @Type(() => LineMoneyDto)
  totalAmount: LineMoneyDto;

  @ApiPropertyOptional({
    example: '21.00',
    description: 'VAT percentage with two decimals; required with vatAmount',
  })
  @IsOptional()
  @IsString()
  @Matches(VAT_RATE, { message: 'must be a percentage with two decimals, e.g. 21.00' })
  vatRate?: string;

  @ApiPropertyOptional({
    type: LineMoneyDto,
    description: 'The VAT in totalAmount: totalAmount × vatRate / (100 + vatRate), rounded',
    example: { value: 174, currency: 'EUR' },
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => LineMoneyDto)
  vatAmount?: LineMoneyDto;

  @ApiPropertyOptional({ example: '5702016116977', maxLength: 64 })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  sku?: string;
}

export class AddressDto {
  @ApiProperty({ example: 'Jane', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  givenName: string;

  @ApiProperty({ example: 'Doe', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  familyName: string;

  @ApiPropertyOptional({ example: 'Example B.V.', maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  organizationName?: string;

  @ApiPropertyOptional({ example: 'jane@example.com' })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: '+31208202070', description: 'E.164' })
  @IsOptional()
  @IsString()
  @Matches(E164_PHONE, { message: 'must be a phone number in E.164 format (+31…)' })
  phone?: string;

  @ApiProperty({ example: 'Keizersgracht 126', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  streetAndNumber: string;

  @ApiProperty({ example: '1015 CW', maxLength: 20 })
  @IsString()
  @Length(1, 20)
  postalCode: string;

  @ApiProperty({ example: 'Amsterdam', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  city: string;

  @ApiPropertyOptional({ example: 'Noord-Holland', maxLength: 100 })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  region?: string;

  @ApiProperty({ example: 'NL', description: 'ISO 3166-1 alpha-2' })
  @IsCountryCode()
  country: string;
}
