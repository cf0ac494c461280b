import 'reflect-metadata';
import * as classTransformer from 'class-transformer';
import * as classValidatorPackage from 'class-validator';
import { getMetadataStorage } from 'class-validator';
import { createClassValidatorPipe, createValidationPipe } from '../../common/http/validation';
import { ValidationError } from '../../common/errors/domain-error';
import { MoneyDto } from '../../common/money/money.dto';
import { PAYMENT_METHODS } from '../../domain/payment-status';
import { SimulateRoutingDto } from '../../routing/dto/routing-simulation.dto';
import { CreatePaymentDto, CustomerDto } from './create-payment.dto';
import { createPaymentCheck } from './create-payment.compiled-check';
import { AddressDto, LineMoneyDto, OrderLineDto } from './order-details.dto';
import {
  ADDRESS as ORDER_ADDRESS,
  LINES as ORDER_LINES,
} from '../../../test/support/order-fixtures';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Body = { [key: string]: Json };
type Path = (string | number)[];

// The e2e suites' order (three lines, an address), plus the address fields they leave out.
const LINES = ORDER_LINES as Json[];
const ADDRESS: Body = {
  ...ORDER_ADDRESS,
  organizationName: 'Example B.V.',
  region: 'Noord-Holland',
};
const MINIMAL: Body = {
  amount: { value: 1050, currency: 'EUR' },
  description: 'Order #1042',
  reference: 'order-1a2b3c4d',
  returnUrl: 'https://shop.example/return',
};
const FULL: Body = {
  ...MINIMAL,
  amount: { value: 2495, currency: 'EUR' },
  cancelUrl: 'https://shop.example/cancel',
  method: 'klarna',
  captureMode: 'manual',
  customer: { email: 'jane@example.com', name: 'Jane Doe', locale: 'nl_NL', country: 'NL' },
  metadata: { orderId: '1042', channel: 'web' },
  lines: LINES,
  billingAddress: ADDRESS,
  shippingAddress: { ...ADDRESS, givenName: 'John' },
  expiresAt: '2099-12-04T12:00:00Z',
  providerAccountId: 'pa_mollie_nl',
};

/** Bodies that pass every rule, each of which the compiled check must take. */
const VALID: [string, Body][] = [
  ['the minimal body', MINIMAL],
  ['every field', FULL],
  ['JPY', { ...MINIMAL, amount: { value: 1500, currency: 'JPY' } }],
  [
    'the largest amount',
    { ...MINIMAL, amount: { value: Number.MAX_SAFE_INTEGER, currency: 'EUR' } },
  ],
  ['a localhost return URL', { ...MINIMAL, returnUrl: 'http://localhost:3000/return?x=1#y' }],
  ['a 2048-character URL', { ...MINIMAL, returnUrl: `https://a.example/${'p'.repeat(2029)}` }],
  [
    'texts at their longest',
    { ...MINIMAL, description: 'd'.repeat(255), reference: 'r'.repeat(128) },
  ],
  ['255 emoji as the description', { ...MINIMAL, description: '😀'.repeat(255) }],
  ['an empty metadata object', { ...MINIMAL, metadata: {} }],
  [
    'metadata at its limits',
    {
      ...MINIMAL,
      metadata: Object.fromEntries(
        Array.from({ length: 50 }, (_, i) => [
          `${i}${'k'.repeat(63)}`.slice(0, 64),
          'v'.repeat(512),
        ]),
      ),
    },
  ],
  ['a locale without region', { ...MINIMAL, customer: { locale: 'en' } }],
  ['an expiry with an offset', { ...MINIMAL, expiresAt: '2099-01-01T10:00:00.123+02:00' }],
  ['an expiry date alone', { ...MINIMAL, expiresAt: '2099-01-01' }],
  [
    'one line of each type',
    {
      ...MINIMAL,
      lines: ['physical', 'digital', 'shipping_fee', 'discount', 'surcharge'].map((type) => ({
        type,
        name: type,
        quantity: 1,
        unitPrice: { value: 1, currency: 'EUR' },
        totalAmount: { value: 1, currency: 'EUR' },
      })),
    },
  ],
  ['a hundred lines', { ...FULL, lines: Array.from({ length: 100 }, () => LINES[1]) }],
  // Klarna needs order lines: its own cases are above.
  ...PAYMENT_METHODS.filter((method) => method !== 'klarna').map((method): [string, Body] => [
    `method ${method}`,
    { ...MINIMAL, method, captureMode: 'automatic' },
  ]),
];

const LONG = [
  0, 1, 19, 20, 21, 39, 40, 41, 63, 64, 65, 99, 100, 101, 127, 128, 129, 253, 254, 255, 256, 512,
  513, 2048, 2049,
];
/** Wrong (and right) values tried at every place of a body. */
const PALETTE: Json[] = [
  null,
  true,
  false,
  [],
  {},
  [1],
  [{}],
  0,
  1,
  -1,
  1.5,
  1000000,
  1000001,
  1e300,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 1,
  -Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER - 1,
  '',
  ' ',
  '1050',
  'EUR',
  'eur',
  'XYZ',
  'XAU',
  'CHE',
  'XAF',
  'USN',
  'NL',
  'nl',
  'XX',
  'Netherlands',
  'nl_NL',
  'nl-NL',
  'NL_nl',
  'en',
  'jane@example.com',
  'jane@',
  'jane@localhost',
  '+31208202070',
  '+0208202070',
  '0208202070',
  '21.00',
  '21',
  '121.00',
  '9.5',
  '2099-01-01T00:00:00Z',
  '2099-01-01',
  '2099-01-01T00:00:00',
  '2099-02-30T00:00:00Z',
  '2099-01-01T25:00:00Z',
  '/return',
  'ftp://shop.example/x',
  'https://shop',
  'https://shop.example/a b',
  'javascript:alert(1)',
  'HTTPS://SHOP.EXAMPLE/',
  'https://user:pass@shop.example/',
  'http://[::1]:3000/',
  'klarna',
  'cash',
  'manual',
  'later',
  'discount',
  'surcharge',
  '\uFE0F',
  'a\uFE0F',
  '😀',
  '\u0000',
  ...LONG.map((n) => 'x'.repeat(n)),
  `https://a.example/${'p'.repeat(2030)}`,
  { value: 1, currency: 'EUR' },
  { value: -1, currency: 'EUR' },
  { value: 1, currency: 'USD' },
  { a: 'b' },
  { a: 1 },
  { '': 'v' },
  { ['k'.repeat(65)]: 'v' },
  { a: 'v'.repeat(513) },
  { a: '😀'.repeat(300) },
  Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])),
  ADDRESS,
  LINES[1],
  [LINES[1]],
  Array.from({ length: 101 }, () => LINES[1]),
];
/** Unknown keys: a plain one, and names Nest strips or class-transformer drops (JSON.parse
 * makes even `__proto__` an own property). */
const ODD_KEYS = [
  'surprise',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
];

const clone = (body: Json): any => JSON.parse(JSON.stringify(body));
const short = (value: Json) => JSON.stringify(value).slice(0, 40);

function at(body: Json, path: Path, change: (parent: any, key: string | number) => void): Body {
  const copy = clone(body);
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key];
  change(parent, path[path.length - 1]);
  return copy;
}

/** Every place in a body: each property of each object and each item of each array. */
function paths(value: Json, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const keys: (string | number)[] = Array.isArray(value)
    ? value.map((_, i) => i)
    : Object.keys(value);
  return keys.flatMap((key) => [[...prefix, key], ...paths((value as any)[key], [...prefix, key])]);
}
const objects = (value: Json, prefix: Path = []): Path[] =>
  value === null || typeof value !== 'object'
    ? []
    : [
        ...(Array.isArray(value) ? [] : [prefix]),
        ...Object.entries(value).flatMap(([key, v]) =>
          objects(v, [...prefix, Array.isArray(value) ? Number(key) : key]),
        ),
      ];

/** The valid bodies, and each changed in one place in every way above. */
function corpus(): [string, Body][] {
  const bodies: [string, Body][] = [...VALID];
  for (const [name, seed] of [
    ['minimal', MINIMAL],
    ['full', FULL],
  ] as const) {
    for (const path of paths(seed)) {
      const where = `${name} ${path.join('.')}`;
      bodies.push([
        `${where} removed`,
        at(seed, path, (p, k) => (Array.isArray(p) ? p.splice(Number(k), 1) : delete p[k])),
      ]);
      for (const value of PALETTE)
        bodies.push([
          `${where} = ${short(value)}`,
          at(seed, path, (p, k) => (p[k] = clone(value))),
        ]);
    }
    for (const path of objects(seed))
      for (const key of ODD_KEYS)
        bodies.push([
          `${name} ${path.join('.') || 'body'} + ${key}`,
          // Through JSON text, as the body parser makes it: `__proto__` an own property.
          JSON.parse(
            JSON.stringify(at(seed, [...path, 'odd key'], (p, k) => (p[k] = 'x'))).replace(
              '"odd key"',
              JSON.stringify(key),
            ),
          ),
        ]);
  }
  for (const field of Object.keys(FULL))
    for (const value of PALETTE)
      if (!(field in MINIMAL))
        bodies.push([
          `minimal + ${field} = ${short(value)}`,
          { ...MINIMAL, [field]: clone(value) },
        ]);
  bodies.push(['an empty body', {}], ['an array', [MINIMAL] as never], ['a string', 'x' as never]);
  return bodies;
}

/** The class, own keys in order and values of a DTO (-0 told apart), to compare two exactly. */
function anatomy(value: unknown): unknown {
  if (Object.is(value, -0)) return '-0';
  if (value === null || typeof value !== 'object') return value;
  return [value.constructor?.name, Object.entries(value).map(([key, v]) => [key, anatomy(v)])];
}

const BODY = { type: 'body', metatype: CreatePaymentDto, data: undefined } as const;

const classValidator = createClassValidatorPipe();

async function classValidatorAnswer(body: unknown) {
  try {
    return { dto: await classValidator.transform(clone(body as Json), BODY) };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { errors: error.errors };
  }
}

describe('the compiled check of a create body', () => {
  it('mirrors these rules of class-validator, no more and no fewer', () => {
    const storage = getMetadataStorage();
    const show = (v: unknown) =>
      JSON.stringify(v, (_k, x) => (x instanceof RegExp ? String(x) : x));
    const rules = (type: new () => object) =>
      storage
        .getTargetValidationMetadatas(type, '', true, false)
        .map(
          (m) =>
            `${m.propertyName} ${m.name ?? m.type}` +
            (m.constraints?.length && m.constraints[0] !== null ? show(m.constraints) : '') +
            (m.each ? ' each' : ''),
        )
        .sort();
    // A change here needs the same change in create-payment.compiled-check.ts.
    expect({
      CreatePaymentDto: rules(CreatePaymentDto),
      CustomerDto: rules(CustomerDto),
      MoneyDto: rules(MoneyDto),
      OrderLineDto: rules(OrderLineDto),
      LineMoneyDto: rules(LineMoneyDto),
      AddressDto: rules(AddressDto),
    }).toEqual({
      CreatePaymentDto: [
        'amount isObject',
        'amount nestedValidation',
        'billingAddress isObject',
        'billingAddress isOptional[null]',
        'billingAddress nestedValidation',
        'cancelUrl isOptional[null]',
        'cancelUrl isUrl[{"require_protocol":true,"protocols":["http","https"],"require_tld":false}]',
        'cancelUrl maxLength[2048]',
        'captureMode isIn[["automatic","manual"]]',
        'captureMode isOptional[null]',
        'customer isOptional[null]',
        'customer nestedValidation',
        'description isLength[1,255]',
        'description isString',
        'expiresAt isIso8601[{"strict":true}]',
        'expiresAt isOptional[null]',
        'lines arrayMaxSize[100]',
        'lines arrayMinSize[1]',
        'lines isArray',
        'lines isOptional[null]',
        'lines nestedValidation each',
        'metadata isObject',
        'metadata isOptional[null]',
        'metadata isStringRecord',
        'method isIn[["card","ideal","bancontact","paypal","sofort","giropay","eps","klarna","applepay","googlepay","banktransfer"]]',
        'method isOptional[null]',
        'providerAccountId isLength[1,40]',
        'providerAccountId isOptional[null]',
        'providerAccountId isString',
        'reference isLength[1,128]',
        'reference isString',
        'returnUrl isUrl[{"require_protocol":true,"protocols":["http","https"],"require_tld":false}]',
        'returnUrl maxLength[2048]',
        'shippingAddress isObject',
        'shippingAddress isOptional[null]',
        'shippingAddress nestedValidation',
      ],
      CustomerDto: [
        'country isCountryCode',
        'country isOptional[null]',
        'email isEmail[null]',
        'email isOptional[null]',
        'email maxLength[254]',
        'locale isOptional[null]',
        'locale isString',
        'locale matches["/^[a-z]{2}([_-][A-Z]{2})?$/",null]',
        'name isLength[1,255]',
        'name isOptional[null]',
        'name isString',
      ],
      MoneyDto: [
        'currency isCurrencyCode',
        'currency isString',
        'value isInt',
        'value isPositive',
        'value max[9007199254740991]',
      ],
      OrderLineDto: [
        'name isLength[1,255]',
        'name isString',
        'quantity isInt',
        'quantity max[1000000]',
        'quantity min[1]',
        'sku isLength[1,64]',
        'sku isOptional[null]',
        'sku isString',
        'totalAmount isObject',
        'totalAmount nestedValidation',
        'type isIn[["physical","digital","shipping_fee","discount","surcharge"]]',
        'type isOptional[null]',
        'unitPrice isObject',
        'unitPrice nestedValidation',
        'vatAmount isObject',
        'vatAmount isOptional[null]',
        'vatAmount nestedValidation',
        'vatRate isOptional[null]',
        'vatRate isString',
        'vatRate matches["/^\\\\d{1,2}\\\\.\\\\d{2}$/",null]',
      ],
      LineMoneyDto: [
        'currency isCurrencyCode',
        'currency isString',
        'value isInt',
        'value max[9007199254740991]',
        'value min[-9007199254740991]',
      ],
      AddressDto: [
        'city isLength[1,100]',
        'city isString',
        'country isCountryCode',
        'email isEmail[null]',
        'email isOptional[null]',
        'email maxLength[254]',
        'familyName isLength[1,100]',
        'familyName isString',
        'givenName isLength[1,100]',
        'givenName isString',
        'organizationName isLength[1,100]',
        'organizationName isOptional[null]',
        'organizationName isString',
        'phone isOptional[null]',
        'phone isString',
        'phone matches["/^\\\\+[1-9]\\\\d{6,14}$/",null]',
        'postalCode isLength[1,20]',
        'postalCode isString',
        'region isLength[1,100]',
        'region isOptional[null]',
        'region isString',
        'streetAndNumber isLength[1,100]',
        'streetAndNumber isString',
      ],
    });
  });

  it.each(VALID)('takes %s, built as class-transformer builds it', async (_name, body) => {
    const dto = createPaymentCheck.accept(clone(body));
    expect(dto).toBeInstanceOf(CreatePaymentDto);
    expect(anatomy(dto)).toEqual(anatomy((await classValidatorAnswer(body)).dto));
  });

  it('takes only what class-validator takes, and builds the same DTO', async () => {
    const bodies = corpus();
    const disagreements: string[] = [];
    const slowOnly: string[] = [];
    let taken = 0;
    for (const [name, body] of bodies) {
      const input = clone(body);
      const fast = createPaymentCheck.accept(input);
      const slow = await classValidatorAnswer(body);
      if (fast !== undefined) {
        taken++;
        if (!slow.dto) disagreements.push(`${name}: ${JSON.stringify(slow.errors)}`);
        else if (JSON.stringify(anatomy(fast)) !== JSON.stringify(anatomy(slow.dto)))
          disagreements.push(`${name}: built differently`);
        // The body itself is left as it came (class-transformer copies too).
        expect(input).toEqual(clone(body));
      } else if (slow.dto) {
        slowOnly.push(name);
      }
    }
    expect(disagreements).toEqual([]);
    expect(bodies.length).toBeGreaterThan(5000);
    expect(taken).toBeGreaterThan(1000);
    // What the check leaves to class-validator although it passes: a null (@IsOptional takes
    // it), an array where one nested object is expected (@ValidateNested takes an array of
    // them), keys that Nest strips or class-transformer drops before class-validator sees them.
    const unexplained = slowOnly.filter(
      (name) =>
        !/ = null$/.test(name) &&
        !/(customer|lines\.\d) = \[/.test(name) &&
        !/ \+ (__proto__|constructor|prototype|toString|hasOwnProperty|valueOf)$/.test(name),
    );
    expect(unexplained).toEqual([]);
  });
});

describe('the validation pipe with compiled checks', () => {
  const pipe = createValidationPipe();

  afterEach(() => jest.restoreAllMocks());

  it('takes a valid create body without class-transformer or class-validator', async () => {
    const toInstance = jest.spyOn(classTransformer, 'plainToInstance');
    const validate = jest.spyOn(classValidatorPackage, 'validate');
    await expect(pipe.transform(clone(FULL), BODY)).resolves.toBeInstanceOf(CreatePaymentDto);
    expect(toInstance).not.toHaveBeenCalled();
    expect(validate).not.toHaveBeenCalled();
    await expect(pipe.transform({ ...clone(FULL), metadata: null }, BODY)).resolves.toMatchObject({
      metadata: null,
    });
    expect(toInstance).toHaveBeenCalledTimes(1);
    expect(validate).toHaveBeenCalledTimes(1);
  });

  it('answers an invalid create body with the errors class-validator names', async () => {
    const body = {
      ...FULL,
      amount: { value: 10.5, currency: 'XYZ' },
      returnUrl: '/return',
      lines: [LINES[0], { ...(LINES[1] as Body), totalAmount: { value: 595, currency: 'usd' } }],
      surprise: true,
    };
    const expected = (await classValidatorAnswer(body)).errors;
    await expect(pipe.transform(clone(body), BODY)).rejects.toMatchObject({ errors: expected });
    expect(expected).toEqual(
      expect.arrayContaining([
        { field: 'amount.value', message: 'must be an integer number of minor units' },
        { field: 'amount.currency', message: 'must be an ISO 4217 currency code, e.g. EUR' },
        { field: 'lines[1].totalAmount.currency', message: expect.any(String) },
        { field: 'surprise', message: 'is not a known field' },
      ]),
    );
  });

  it('leaves a subclass of the DTO to class-validator (its own rules are not in the check)', async () => {
    const metadata = { type: 'body', metatype: SimulateRoutingDto, data: undefined } as const;
    await expect(pipe.transform(clone(MINIMAL), metadata)).rejects.toMatchObject({
      errors: [{ field: 'integrationId', message: 'is required' }],
    });
  });
});
