/**
 * What both limit servers do with a create-payment body once it is valid: the payment row, its
 * history row and its outbox row, and the 201 body. Also the hand-written validator of the raw
 * server (the minimal NestJS app validates with class-validator instead, see create-payment.dto).
 */
import { randomBytes } from 'node:crypto';
import { code as currencyCode } from 'currency-codes';

export interface CreatePaymentBody {
  amount: { value: number; currency: string };
  description: string;
  reference: string;
  returnUrl: string;
  cancelUrl?: string;
  method?: string;
  captureMode?: string;
  customer?: { email?: string; name?: string; locale?: string; country?: string };
  metadata?: Record<string, string>;
}

export interface PaymentRows {
  payment: Record<string, unknown>;
  event: Record<string, unknown>;
  outbox: Record<string, unknown>;
  view: Record<string, unknown>;
}

export const METHODS = [
  'card',
  'ideal',
  'bancontact',
  'paypal',
  'sofort',
  'giropay',
  'eps',
  'klarna',
  'applepay',
  'googlepay',
  'banktransfer',
];
export const CAPTURE_MODES = ['automatic', 'manual'];
const FIELDS = new Set([
  'amount',
  'description',
  'reference',
  'returnUrl',
  'cancelUrl',
  'method',
  'captureMode',
  'customer',
  'metadata',
]);
const CUSTOMER_FIELDS = new Set(['email', 'name', 'locale', 'country']);

export const isCurrency = (value: unknown) =>
  typeof value === 'string' &&
  /^[A-Z]{3}$/.test(value) &&
  typeof currencyCode(value)?.digits === 'number';
const isText = (value: unknown, min: number, max: number) =>
  typeof value === 'string' && value.length >= min && value.length <= max;
const isHttpUrl = (value: unknown) =>
  isText(value, 8, 2048) && /^https?:\/\/[^\s/?#]+[^\s]*$/.test(value as string);
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The same rules as PaymentServer's CreatePaymentDto, as plain checks; [] when valid. */
export function validateCreatePayment(body: unknown): { field: string; message: string }[] {
  if (!isObject(body)) return [{ field: '', message: 'must be a JSON object' }];
  const errors: { field: string; message: string }[] = [];
  const fail = (field: string, message: string) => errors.push({ field, message });
  for (const key of Object.keys(body)) if (!FIELDS.has(key)) fail(key, 'is not a known field');
  const amount = body.amount;
  if (!isObject(amount)) fail('amount', 'must be an object');
  else {
    const value = amount.value;
    if (!Number.isSafeInteger(value) || (value as number) < 1)
      fail('amount.value', 'must be a positive integer number of minor units');
    if (!isCurrency(amount.currency))
      fail('amount.currency', 'must be an ISO 4217 currency code, e.g. EUR');
  }
  if (!isText(body.description, 1, 255)) fail('description', 'must be 1-255 characters');
  if (!isText(body.reference, 1, 128)) fail('reference', 'must be 1-128 characters');
  if (!isHttpUrl(body.returnUrl)) fail('returnUrl', 'must be an absolute http(s) URL');
  if (body.cancelUrl !== undefined && !isHttpUrl(body.cancelUrl))
    fail('cancelUrl', 'must be an absolute http(s) URL');
  if (body.method !== undefined && !METHODS.includes(body.method as string))
    fail('method', `must be one of ${METHODS.join(', ')}`);
  if (body.captureMode !== undefined && !CAPTURE_MODES.includes(body.captureMode as string))
    fail('captureMode', 'must be automatic or manual');
  if (body.customer !== undefined) {
    const customer = body.customer;
    if (!isObject(customer)) fail('customer', 'must be an object');
    else {
      for (const key of Object.keys(customer))
        if (!CUSTOMER_FIELDS.has(key)) fail(`customer.${key}`, 'is not a known field');
      if (
        customer.email !== undefined &&
        !(
          isText(customer.email, 3, 254) &&
          /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(customer.email as string)
        )
      )
        fail('customer.email', 'must be an email');
      if (customer.name !== undefined && !isText(customer.name, 1, 255))
        fail('customer.name', 'must be 1-255 characters');
      if (
        customer.locale !== undefined &&
        !/^[a-z]{2}([_-][A-Z]{2})?$/.test(String(customer.locale))
      )
        fail('customer.locale', 'must be a locale such as nl_NL or en');
      if (customer.country !== undefined && !/^[A-Z]{2}$/.test(String(customer.country)))
        fail('customer.country', 'must be an ISO 3166-1 alpha-2 country code');
    }
  }
  if (body.metadata !== undefined) {
    const metadata = body.metadata;
    const ok =
      isObject(metadata) &&
      Object.keys(metadata).length <= 50 &&
      Object.entries(metadata).every(([k, v]) => isText(k, 1, 64) && isText(v, 0, 512));
    if (!ok) fail('metadata', 'must be an object of at most 50 string values');
  }
  return errors;
}

/** Ids as PaymentServer makes them: creation time first (each index is appended to), then random. */
const newId = (prefix: string) =>
  `${prefix}_${Date.now().toString(36).padStart(8, '0')}${randomBytes(12).toString('base64url')}`;

export function paymentRows(integrationId: string, body: CreatePaymentBody): PaymentRows {
  const now = new Date();
  const id = newId('pay');
  const payment = {
    id,
    integrationId,
    status: 'pending',
    amountValue: body.amount.value,
    currency: body.amount.currency,
    amountCaptured: 0,
    amountRefunded: 0,
    description: body.description,
    reference: body.reference,
    method: body.method ?? null,
    captureMode: body.captureMode ?? 'automatic',
    customer: body.customer ? JSON.stringify(body.customer) : null,
    metadata: body.metadata ? JSON.stringify(body.metadata) : null,
    returnUrl: body.returnUrl,
    cancelUrl: body.cancelUrl ?? null,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  const view = {
    id,
    status: 'pending',
    amount: { value: payment.amountValue, currency: payment.currency },
    amountCaptured: 0,
    amountRefunded: 0,
    description: payment.description,
    reference: payment.reference,
    method: payment.method,
    captureMode: payment.captureMode,
    customer: body.customer ?? null,
    metadata: body.metadata ?? null,
    returnUrl: payment.returnUrl,
    cancelUrl: payment.cancelUrl,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const eventId = newId('evt');
  return {
    payment,
    event: {
      id: newId('pev'),
      paymentId: id,
      type: 'payment.created',
      fromStatus: null,
      toStatus: 'pending',
      source: 'api',
      ignored: false,
      sequence: 1,
      createdAt: now,
    },
    outbox: {
      id: eventId,
      integrationId,
      type: 'payment.created',
      paymentId: id,
      sequence: 1,
      payload: JSON.stringify({
        id: eventId,
        type: 'payment.created',
        timestamp: view.createdAt,
        data: { payment: view },
      }),
      createdAt: now,
    },
    view,
  };
}
