import Ajv from 'ajv';
import type { SchemaObject } from 'ajv';
import { isEmail, isISO8601, isURL, length, matches } from 'class-validator';
import { isCountryCode } from '../../common/country/country-code';
import type { CompiledCheck } from '../../common/http/compiled-check';
import { isKnownCurrency } from '../../common/money/currency';
import { MoneyDto } from '../../common/money/money.dto';
import { CAPTURE_MODES, PAYMENT_METHODS } from '../../domain/payment-status';
import { ORDER_LINE_TYPES } from '../../domain/order-details';
import { CreatePaymentDto, CustomerDto } from './create-payment.dto';
import {
  E164_PHONE,
  HTTP_URL,
  isStringRecord,
  LOCALE,
  METADATA_MAX_KEYS,
  VAT_RATE,
} from './create-payment.rules';
import { AddressDto, LineMoneyDto, OrderLineDto } from './order-details.dto';

/*
 * The decorators of CreatePaymentDto and its nested DTOs, as one JSON schema that ajv compiles
 * to a single function at start-up. Types, required fields, unknown fields, enums, integer
 * ranges and array sizes are ajv's own keywords; every rule on the content of a string calls the
 * very function class-validator calls for it (validator.js through class-validator, and our
 * predicates from create-payment.rules.ts), so lengths count characters the way @Length does.
 * null is nowhere allowed: class-validator's @IsOptional takes it, and such a body simply goes
 * the slow way. create-payment.compiled-check.spec.ts pins the decorators this mirrors and
 * checks a corpus of bodies against class-validator.
 */

const MAX = Number.MAX_SAFE_INTEGER;

const text = (min: number, max: number) => ({ type: 'string', isLength: [min, max] });
const url = { type: 'string', format: 'http-url', isLength: [0, 2048] };
const email = { type: 'string', format: 'email', isLength: [0, 254] };
const country = { type: 'string', format: 'country-code' };
const oneOf = (values: readonly string[]) => ({ type: 'string', enum: values });

const object = (required: string[], properties: Record<string, SchemaObject>): SchemaObject => ({
  type: 'object',
  required,
  additionalProperties: false,
  properties,
});

const money = (value: SchemaObject) =>
  object(['value', 'currency'], { value, currency: { type: 'string', format: 'currency' } });

const AMOUNT = money({ type: 'integer', exclusiveMinimum: 0, maximum: MAX });
const LINE_MONEY = money({ type: 'integer', minimum: -MAX, maximum: MAX });

const CUSTOMER = object([], {
  email,
  name: text(1, 255),
  locale: { type: 'string', format: 'locale' },
  country,
});

const LINE = object(['name', 'quantity', 'unitPrice', 'totalAmount'], {
  type: oneOf(ORDER_LINE_TYPES),
  name: text(1, 255),
  quantity: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  unitPrice: LINE_MONEY,
  totalAmount: LINE_MONEY,
  vatRate: { type: 'string', format: 'vat-rate' },
  vatAmount: LINE_MONEY,
  sku: text(1, 64),
});

const ADDRESS = object(
  ['givenName', 'familyName', 'streetAndNumber', 'postalCode', 'city', 'country'],
  {
    givenName: text(1, 100),
    familyName: text(1, 100),
    organizationName: text(1, 100),
    email,
    phone: { type: 'string', format: 'e164-phone' },
    streetAndNumber: text(1, 100),
    postalCode: text(1, 20),
    city: text(1, 100),
    region: text(1, 100),
    country,
  },
);

const CREATE_PAYMENT_SCHEMA = object(['amount', 'description', 'reference', 'returnUrl'], {
  amount: AMOUNT,
  description: text(1, 255),
  reference: text(1, 128),
  returnUrl: url,
  cancelUrl: url,
  method: oneOf(PAYMENT_METHODS),
  captureMode: oneOf(CAPTURE_MODES),
  customer: CUSTOMER,
  metadata: { type: 'object', stringRecord: METADATA_MAX_KEYS },
  lines: { type: 'array', minItems: 1, maxItems: 100, items: LINE },
  billingAddress: ADDRESS,
  shippingAddress: ADDRESS,
  expiresAt: { type: 'string', format: 'iso8601-strict' },
  providerAccountId: text(1, 40),
});

/**
 * A record key that class-transformer leaves out (a member of Object.prototype, such as
 * `toString` or `__proto__`) or Nest's pipe deletes (`prototype`): the slow path decides those.
 */
const plainKey = (key: string) => !(key in Object.prototype) && key !== 'prototype';

function compile() {
  const ajv = new Ajv({
    allErrors: false,
    messages: false,
    strict: true,
    formats: {
      'http-url': { type: 'string', validate: (v: string) => isURL(v, HTTP_URL) },
      email: { type: 'string', validate: (v: string) => isEmail(v) },
      'country-code': { type: 'string', validate: (v: string) => isCountryCode(v) },
      'iso8601-strict': { type: 'string', validate: (v: string) => isISO8601(v, { strict: true }) },
      currency: { type: 'string', validate: (v: string) => isKnownCurrency(v) },
      locale: { type: 'string', validate: (v: string) => matches(v, LOCALE) },
      'e164-phone': { type: 'string', validate: (v: string) => matches(v, E164_PHONE) },
      'vat-rate': { type: 'string', validate: (v: string) => matches(v, VAT_RATE) },
    },
  });
  ajv.addKeyword({
    keyword: 'isLength',
    type: 'string',
    schemaType: 'array',
    errors: false,
    validate: ([min, max]: [number, number], data: string) => length(data, min, max),
  });
  ajv.addKeyword({
    keyword: 'stringRecord',
    type: 'object',
    schemaType: 'number',
    errors: false,
    validate: (maxKeys: number, data: object) =>
      isStringRecord(data, maxKeys) && Object.keys(data).every(plainKey),
  });
  return ajv.compile(CREATE_PAYMENT_SCHEMA);
}

type Plain = Record<string, any>;

// What class-transformer's plainToInstance builds (with `@Type` on every nested DTO): a new
// instance per object, with the body's own properties copied onto it; a record is copied too.
const lineMoney = (plain: Plain) => Object.assign(new LineMoneyDto(), plain);

function toLine(plain: Plain): OrderLineDto {
  const line = Object.assign(new OrderLineDto(), plain);
  line.unitPrice = lineMoney(plain.unitPrice);
  line.totalAmount = lineMoney(plain.totalAmount);
  if (plain.vatAmount) line.vatAmount = lineMoney(plain.vatAmount);
  return line;
}

function toDto(body: Plain): CreatePaymentDto {
  const dto = Object.assign(new CreatePaymentDto(), body);
  dto.amount = Object.assign(new MoneyDto(), body.amount);
  if (body.customer) dto.customer = Object.assign(new CustomerDto(), body.customer);
  if (body.metadata) dto.metadata = { ...body.metadata };
  if (body.lines) dto.lines = body.lines.map(toLine);
  if (body.billingAddress)
    dto.billingAddress = Object.assign(new AddressDto(), body.billingAddress);
  if (body.shippingAddress)
    dto.shippingAddress = Object.assign(new AddressDto(), body.shippingAddress);
  return dto;
}

// Compiled when the DTO's file is loaded, i.e. at start-up (a few milliseconds).
const validate = compile();

export const createPaymentCheck: CompiledCheck<CreatePaymentDto> = {
  accept: (body) => (validate(body) ? toDto(body as Plain) : undefined),
};
