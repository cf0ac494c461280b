import { randomBytes } from 'node:crypto';
import {
  checkoutPage,
  formFields,
  IdempotencyStore,
  json,
  PspSimulator,
  redirect,
  SimRequest,
  SimResponse,
} from '../psp-simulator';

/** Mollie's own decimals per currency: the value must carry exactly these. */
const DECIMALS: Record<string, number> = {
  EUR: 2,
  GBP: 2,
  USD: 2,
  CHF: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  CAD: 2,
  AUD: 2,
  JPY: 0,
};
const METHODS = new Set([
  'creditcard',
  'ideal',
  'bancontact',
  'paypal',
  'eps',
  'klarna',
  'applepay',
  'banktransfer',
]);

/** Currencies other than EUR each method takes (docs.mollie.com/docs/multicurrency); not listed: all. */
const METHOD_CURRENCIES: Record<string, string[]> = {
  ideal: ['EUR'],
  bancontact: ['EUR'],
  eps: ['EUR'],
  banktransfer: ['EUR'],
  klarna: ['EUR', 'CHF', 'CZK', 'DKK', 'NOK', 'PLN', 'SEK'],
};

/**
 * Methods whose payment Mollie still cancels while it is open or pending (cancel-payment:
 * "depending on the payment method"; the spec's examples show open iDEAL, card and PayPal
 * payments with isCancelable false, a pending direct debit with true). Bank transfers wait
 * for the customer's transfer and can be called off until it arrives.
 */
const CANCELABLE_BEFORE_PAYMENT = new Set(['banktransfer', 'directdebit']);
/** components/schemas/locale. */
const LOCALES = new Set([
  'ca_ES',
  'cs_CZ',
  'da_DK',
  'de_AT',
  'de_CH',
  'de_DE',
  'de_LU',
  'en_BE',
  'en_GB',
  'en_NL',
  'en_US',
  'es_ES',
  'fi_FI',
  'fr_BE',
  'fr_FR',
  'fr_LU',
  'hu_HU',
  'is_IS',
  'it_IT',
  'lt_LT',
  'lv_LV',
  'nb_NO',
  'nl_BE',
  'nl_NL',
  'pl_PL',
  'pt_PT',
  'sk_SK',
  'sv_SE',
]);
/** components/schemas/metadata: "up to approximately 1kB"; held to 1,024 bytes of JSON here. */
const METADATA_BYTES = 1024;

const LINE_TYPES = new Set([
  'physical',
  'digital',
  'shipping_fee',
  'discount',
  'store_credit',
  'gift_card',
  'surcharge',
]);
const ADDRESS_FIELDS = new Set([
  'title',
  'givenName',
  'familyName',
  'organizationName',
  'streetAndNumber',
  'streetAdditional',
  'postalCode',
  'email',
  'phone',
  'city',
  'region',
  'country',
]);

interface SimAmount {
  currency: string;
  value: string;
}
interface SimRefund {
  resource: 'refund';
  id: string;
  paymentId: string;
  status: string;
  amount: SimAmount;
  description: string;
  metadata: unknown;
  createdAt: string;
}
interface SimCapture {
  resource: 'capture';
  id: string;
  mode: string;
  status: string;
  amount: SimAmount;
  description: string;
  metadata: unknown;
  paymentId: string;
  createdAt: string;
}
/** entity-chargeback: `reversedAt` null until the chargeback is reversed. */
interface SimChargeback {
  resource: 'chargeback';
  id: string;
  amount: SimAmount;
  reason: null;
  paymentId: string;
  createdAt: string;
  reversedAt: string | null;
  _links: Record<string, { href: string; type: string }>;
}
interface SimPayment {
  resource: 'payment';
  id: string;
  mode: 'test' | 'live';
  status: string;
  amount: SimAmount;
  description: string;
  redirectUrl: string;
  cancelUrl?: string;
  webhookUrl?: string;
  method: string | null;
  captureMode: 'automatic' | 'manual';
  metadata: unknown;
  createdAt: string;
  lines?: unknown[];
  billingAddress?: Record<string, unknown>;
  shippingAddress?: Record<string, unknown>;
  amountCaptured?: SimAmount;
  amountRefunded?: SimAmount;
  amountChargedBack?: SimAmount;
  refunds: SimRefund[];
  captures: SimCapture[];
  chargebacks: SimChargeback[];
  /** What release-authorization let go of (not part of Mollie's payment object). */
  released?: SimAmount;
}

function minor(amount: SimAmount): number {
  return Number(amount.value.replace('.', ''));
}

function amountOf(currency: string, value: number): SimAmount {
  const decimals = DECIMALS[currency];
  const digits = String(value).padStart(decimals + 1, '0');
  return {
    currency,
    value: decimals ? `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}` : digits,
  };
}

function mollieError(status: number, title: string, detail: string, field?: string): SimResponse {
  return json(
    status,
    {
      status,
      title,
      detail,
      ...(field ? { field } : {}),
      _links: {
        documentation: {
          href: 'https://docs.mollie.com/overview/handling-errors',
          type: 'text/html',
        },
      },
    },
    'application/hal+json',
  );
}

/**
 * A stateful stand-in for Mollie API v2 payments. Like Mollie it wants `Authorization:
 * Bearer <key>`, JSON bodies, amounts as strings with exactly the currency's decimals, and
 * calls the webhook with only `id=tr_…` (form-encoded, unsigned). Like Mollie it honours
 * `Idempotency-Key` on POST and DELETE (a repeat gets the first answer; the same key with
 * another body is refused) and lists a payment's refunds, captures and chargebacks, which
 * get-payment embeds when `embed` (comma-separated) names them.
 */
export class MollieSimulator extends PspSimulator {
  readonly payments = new Map<string, SimPayment>();
  /**
   * Refunds settle (pending → refunded, with a webhook) right after they are created. When
   * false they stay pending until settlePendingRefunds().
   */
  settleRefunds = true;
  private readonly idempotency = new IdempotencyStore();
  /**
   * When true, a capture is created `pending` (the create-capture 201 example) and the payment
   * stays authorized until settlePendingCaptures(). When false (the default), it has succeeded
   * by the time Mollie answers.
   */
  pendingCaptures = false;
  /** The next refund is accepted and then fails (status `failed`). */
  failNextRefund = false;
  /**
   * The next release-authorization is refused (422) although the payment is authorized:
   * Mollie "will do its best … but it is not guaranteed that it will succeed".
   */
  refuseNextRelease = false;

  constructor(readonly apiKey = `test_${randomBytes(15).toString('hex')}`) {
    super();
  }

  protected isApi(request: SimRequest): boolean {
    return request.path.startsWith('/v2/');
  }

  protected async handle(request: SimRequest): Promise<SimResponse> {
    const checkout = /^\/checkout\/(tr_\w+)$/.exec(request.path);
    if (checkout) return this.checkout(request, checkout[1]);
    if (request.headers.authorization !== `Bearer ${this.apiKey}`) {
      return mollieError(
        401,
        'Unauthorized Request',
        'Missing authentication, or failed to authenticate',
      );
    }
    let body: Record<string, any> = {};
    // release-authorization takes its optional fields in a body; Mollie's own example sends none.
    if (request.method === 'POST' && request.body !== '') {
      if (!String(request.headers['content-type']).startsWith('application/json')) {
        return mollieError(
          415,
          'Unsupported Media Type',
          'The simulator accepts JSON request bodies only',
        );
      }
      try {
        body = JSON.parse(request.body);
      } catch {
        return mollieError(400, 'Bad Request', 'The JSON body could not be parsed');
      }
    }
    const key = request.headers['idempotency-key'];
    if (typeof key === 'string' && request.method !== 'GET') {
      const fingerprint = `${request.method} ${request.path} ${request.body}`;
      const seen = this.idempotency.lookup(key, fingerprint);
      if (seen === 'conflict')
        return mollieError(
          422,
          'Unprocessable Entity',
          'The Idempotency-Key was already used for a different request',
        );
      if (seen) return seen;
      const response = await this.route(request, body);
      if (response.status < 500) this.idempotency.remember(key, fingerprint, response);
      return response;
    }
    return this.route(request, body);
  }

  private async route(request: SimRequest, body: Record<string, any>): Promise<SimResponse> {
    if (request.method === 'POST' && request.path === '/v2/payments') return this.create(body);
    // The enabled methods (HAL list), as test connection reads them.
    if (request.method === 'GET' && request.path === '/v2/methods')
      return json(
        200,
        {
          count: 2,
          _embedded: {
            methods: [
              { resource: 'method', id: 'ideal', description: 'iDEAL', status: 'activated' },
              { resource: 'method', id: 'creditcard', description: 'Card', status: 'activated' },
            ],
          },
          _links: { self: { href: '/v2/methods', type: 'application/hal+json' } },
        },
        'application/hal+json',
      );
    const match =
      /^\/v2\/payments\/([^/]+)(?:\/(captures|refunds|chargebacks|release-authorization)(?:\/([^/]+))?)?$/.exec(
        request.path,
      );
    const payment = match ? this.payments.get(match[1]) : undefined;
    if (!match) return mollieError(404, 'Not Found', 'The resource does not exist');
    if (!payment) return mollieError(404, 'Not Found', `No payment exists with token ${match[1]}.`);
    const [, , sub, subId] = match;
    if (request.method === 'GET' && !sub)
      return json(
        200,
        this.view(payment, (request.query.get('embed') ?? '').split(',')),
        'application/hal+json',
      );
    if (request.method === 'DELETE' && !sub) return this.cancel(payment);
    if (request.method === 'POST' && sub === 'captures' && !subId)
      return this.capture(payment, body);
    if (request.method === 'POST' && sub === 'refunds' && !subId) return this.refund(payment, body);
    if (request.method === 'POST' && sub === 'release-authorization' && !subId)
      return this.releaseAuthorization(payment, body);
    if (request.method === 'GET' && ['captures', 'refunds', 'chargebacks'].includes(sub))
      return this.list(payment, sub, subId, request.query);
    return mollieError(
      405,
      'Method Not Allowed',
      `The method ${request.method} is not allowed here`,
    );
  }

  /** GET …/refunds, …/captures, …/chargebacks (and …/{id} of each): Mollie's list (HAL) and single resources. */
  private list(
    payment: SimPayment,
    sub: string,
    id: string | undefined,
    query: URLSearchParams,
  ): SimResponse {
    const items: (SimRefund | SimCapture | SimChargeback)[] =
      sub === 'refunds'
        ? payment.refunds
        : sub === 'chargebacks'
          ? payment.chargebacks
          : payment.captures;
    if (id) {
      const found = items.find((item) => item.id === id);
      return found
        ? json(200, found, 'application/hal+json')
        : mollieError(404, 'Not Found', `No ${sub.slice(0, -1)} exists with token ${id}.`);
    }
    const limit = Number(query.get('limit') ?? 50);
    if (!Number.isInteger(limit) || limit < 1 || limit > 250)
      return mollieError(400, 'Bad Request', 'Invalid limit', 'limit');
    const page = items.slice(0, limit);
    return json(
      200,
      {
        count: page.length,
        _embedded: { [sub]: page },
        _links: {
          self: {
            href: `${this.url}/v2/payments/${payment.id}/${sub}`,
            type: 'application/hal+json',
          },
          previous: null,
          next: null,
        },
      },
      'application/hal+json',
    );
  }

  private checkAmount(amount: any, field: string, currency?: string): SimResponse | null {
    if (!amount || typeof amount !== 'object')
      return mollieError(422, 'Unprocessable Entity', `The amount is required`, field);
    if (typeof amount.currency !== 'string' || !(amount.currency in DECIMALS))
      return mollieError(
        422,
        'Unprocessable Entity',
        'The amount currency is not supported',
        `${field}.currency`,
      );
    if (currency && amount.currency !== currency)
      return mollieError(
        422,
        'Unprocessable Entity',
        'The currency must be the payment currency',
        `${field}.currency`,
      );
    const decimals = DECIMALS[amount.currency];
    const pattern = decimals ? new RegExp(`^\\d+\\.\\d{${decimals}}$`) : /^\d+$/;
    if (typeof amount.value !== 'string' || !pattern.test(amount.value)) {
      return mollieError(
        422,
        'Unprocessable Entity',
        `The amount contains an invalid value: ${amount.currency} requires a string with exactly ${decimals} decimals`,
        `${field}.value`,
      );
    }
    return null;
  }

  /**
   * Payments API `lines`, as Mollie checks them: a known type, a description, a whole quantity,
   * amounts in the payment's currency with its decimals, totalAmount = unitPrice × quantity −
   * discountAmount, a vatRate string with the vatAmount it implies, and lines adding up to the
   * amount. Klarna needs lines.
   */
  private checkLines(body: Record<string, any>): SimResponse | null {
    const invalid = (detail: string, field: string) =>
      mollieError(422, 'Unprocessable Entity', detail, field);
    if (body.lines === undefined)
      return body.method === 'klarna'
        ? invalid('The lines are required for Klarna', 'lines')
        : null;
    if (!Array.isArray(body.lines) || body.lines.length === 0)
      return invalid('The lines must be a non-empty array', 'lines');
    const currency = body.amount.currency;
    let sum = 0;
    for (const [i, line] of (body.lines as any[]).entries()) {
      const at = `lines.${i}`;
      if (line.type !== undefined && !LINE_TYPES.has(line.type))
        return invalid('The line type is invalid', `${at}.type`);
      if (typeof line.description !== 'string' || !line.description)
        return invalid('The description is required', `${at}.description`);
      if (!Number.isInteger(line.quantity) || line.quantity < 1)
        return invalid('The quantity must be a positive integer', `${at}.quantity`);
      for (const key of ['unitPrice', 'totalAmount', 'discountAmount', 'vatAmount']) {
        if (line[key] === undefined) continue;
        const problem = this.checkSignedAmount(line[key], `${at}.${key}`, currency);
        if (problem) return problem;
      }
      if (!line.unitPrice || !line.totalAmount)
        return invalid('The unitPrice and totalAmount are required', `${at}.totalAmount`);
      const discount = line.discountAmount ? minor(line.discountAmount) : 0;
      if (minor(line.totalAmount) !== minor(line.unitPrice) * line.quantity - discount)
        return invalid(
          'The totalAmount must be unitPrice × quantity − discountAmount',
          `${at}.totalAmount`,
        );
      if (line.vatRate !== undefined) {
        if (typeof line.vatRate !== 'string' || !/^\d{1,2}(\.\d{1,2})?$/.test(line.vatRate))
          return invalid('The VAT rate must be a string such as "21.00"', `${at}.vatRate`);
        if (!line.vatAmount)
          return invalid('The vatAmount is required with a vatRate', `${at}.vatAmount`);
        const rate = Math.round(Number(line.vatRate) * 100);
        const expected = Math.round((minor(line.totalAmount) * rate) / (10000 + rate));
        if (Math.abs(minor(line.vatAmount) - expected) > 1)
          return invalid(
            `The vatAmount must be totalAmount × (vatRate / (100 + vatRate)): ${expected}`,
            `${at}.vatAmount`,
          );
      }
      sum += minor(line.totalAmount);
    }
    if (sum !== minor(body.amount))
      return invalid('The sum of the totalAmount of the lines must equal the amount', 'amount');
    return null;
  }

  /** billingAddress and shippingAddress: Mollie's field names, the fields it needs together. */
  private checkAddresses(body: Record<string, any>): SimResponse | null {
    for (const name of ['billingAddress', 'shippingAddress']) {
      const address = body[name];
      if (address === undefined) continue;
      const unknown = Object.keys(address).find((key) => !ADDRESS_FIELDS.has(key));
      if (unknown)
        return mollieError(
          422,
          'Unprocessable Entity',
          `Unknown field ${unknown}`,
          `${name}.${unknown}`,
        );
      for (const key of ['streetAndNumber', 'postalCode', 'city', 'country']) {
        if (typeof address[key] !== 'string' || !address[key])
          return mollieError(
            422,
            'Unprocessable Entity',
            `The ${key} is required`,
            `${name}.${key}`,
          );
      }
      if (!/^[A-Z]{2}$/.test(address.country))
        return mollieError(
          422,
          'Unprocessable Entity',
          'The country is invalid',
          `${name}.country`,
        );
      if (address.phone !== undefined && !/^\+\d{7,15}$/.test(address.phone))
        return mollieError(422, 'Unprocessable Entity', 'The phone must be E.164', `${name}.phone`);
    }
    if (body.method === 'klarna') {
      const billing = body.billingAddress;
      if (!billing?.givenName || !billing?.familyName || !billing?.email)
        return mollieError(
          422,
          'Unprocessable Entity',
          'Klarna needs a billing address with givenName, familyName and email',
          'billingAddress',
        );
    }
    return null;
  }

  /** An amount on a line: like checkAmount, but a discount is negative. */
  private checkSignedAmount(amount: any, field: string, currency: string): SimResponse | null {
    if (amount && typeof amount.value === 'string' && amount.value.startsWith('-'))
      return this.checkAmount({ ...amount, value: amount.value.slice(1) }, field, currency);
    return this.checkAmount(amount, field, currency);
  }

  private create(body: Record<string, any>): SimResponse {
    const problem = this.checkAmount(body.amount, 'amount');
    if (problem) return problem;
    if (typeof body.description !== 'string' || !body.description)
      return mollieError(422, 'Unprocessable Entity', 'The description is invalid', 'description');
    if (typeof body.redirectUrl !== 'string' || !/^https?:\/\//.test(body.redirectUrl))
      return mollieError(422, 'Unprocessable Entity', 'The redirect URL is invalid', 'redirectUrl');
    if (body.webhookUrl !== undefined && !/^https?:\/\//.test(body.webhookUrl))
      return mollieError(422, 'Unprocessable Entity', 'The webhook URL is invalid', 'webhookUrl');
    if (body.method !== undefined && !METHODS.has(body.method))
      return mollieError(422, 'Unprocessable Entity', 'The payment method is invalid', 'method');
    if (
      body.method !== undefined &&
      METHOD_CURRENCIES[body.method] &&
      !METHOD_CURRENCIES[body.method].includes(body.amount.currency)
    )
      return mollieError(
        422,
        'Unprocessable Entity',
        `The payment method ${body.method} is not available for the currency ${body.amount.currency}`,
        'method',
      );
    if (body.locale !== undefined && body.locale !== null && !LOCALES.has(body.locale))
      return mollieError(422, 'Unprocessable Entity', 'The locale is invalid', 'locale');
    if (
      body.metadata !== undefined &&
      Buffer.byteLength(JSON.stringify(body.metadata), 'utf8') > METADATA_BYTES
    )
      return mollieError(
        422,
        'Unprocessable Entity',
        'The metadata is too large, you can use up to approximately 1kB',
        'metadata',
      );
    if (body.captureMode !== undefined && !['automatic', 'manual'].includes(body.captureMode))
      return mollieError(422, 'Unprocessable Entity', 'The capture mode is invalid', 'captureMode');
    if (
      body.captureMode === 'manual' &&
      body.method !== undefined &&
      !['creditcard', 'klarna'].includes(body.method)
    ) {
      return mollieError(
        422,
        'Unprocessable Entity',
        `The capture mode manual is not supported for method ${body.method}`,
        'captureMode',
      );
    }
    const orderProblem = this.checkLines(body) ?? this.checkAddresses(body);
    if (orderProblem) return orderProblem;
    const id = `tr_${randomBytes(5).toString('hex')}`;
    const payment: SimPayment = {
      resource: 'payment',
      id,
      mode: this.apiKey.startsWith('live_') ? 'live' : 'test',
      status: 'open',
      amount: body.amount,
      description: body.description,
      redirectUrl: body.redirectUrl,
      cancelUrl: body.cancelUrl,
      webhookUrl: body.webhookUrl,
      method: body.method ?? null,
      captureMode: body.captureMode ?? 'automatic',
      metadata: body.metadata ?? null,
      createdAt: new Date().toISOString(),
      ...(body.lines ? { lines: body.lines } : {}),
      ...(body.billingAddress ? { billingAddress: body.billingAddress } : {}),
      ...(body.shippingAddress ? { shippingAddress: body.shippingAddress } : {}),
      refunds: [],
      captures: [],
      chargebacks: [],
    };
    this.payments.set(id, payment);
    return json(201, this.view(payment, []), 'application/hal+json');
  }

  /** The payment as get-payment shows it, with what `embed` names (refunds, chargebacks). */
  private view(payment: SimPayment, embed: string[]) {
    const { refunds, captures: _captures, chargebacks, released: _released, ...rest } = payment;
    void _captures;
    void _released;
    const isCancelable = this.cancelable(payment);
    const embedded = {
      ...(embed.includes('refunds') ? { refunds } : {}),
      ...(embed.includes('chargebacks') ? { chargebacks } : {}),
    };
    return {
      ...rest,
      ...(isCancelable === undefined ? {} : { isCancelable }),
      _links: {
        self: { href: `${this.url}/v2/payments/${payment.id}`, type: 'application/hal+json' },
        ...(payment.status === 'open'
          ? { checkout: { href: `${this.url}/checkout/${payment.id}`, type: 'text/html' } }
          : {}),
        ...(chargebacks.length > 0
          ? {
              chargebacks: {
                href: `${this.url}/v2/payments/${payment.id}/chargebacks`,
                type: 'application/hal+json',
              },
            }
          : {}),
      },
      ...(Object.keys(embedded).length > 0 ? { _embedded: embedded } : {}),
    };
  }

  /**
   * isCancelable as Mollie reports it (get-payment: omitted once the payment is final). An open
   * payment whose method is not chosen yet is not cancelable (the spec's examples with `method:
   * null`); an authorized one is, until a capture is under way or has succeeded (what is left
   * of it then is let go with release-authorization).
   */
  private cancelable(payment: SimPayment): boolean | undefined {
    if (['canceled', 'expired', 'failed'].includes(payment.status)) return undefined;
    if (payment.status === 'authorized')
      return payment.captures.every((capture) => capture.status === 'failed');
    if (payment.status === 'open' || payment.status === 'pending')
      return payment.method !== null && CANCELABLE_BEFORE_PAYMENT.has(payment.method);
    return false;
  }

  /** cancel-payment: only while isCancelable, else 422 in Mollie's error format. */
  private async cancel(payment: SimPayment): Promise<SimResponse> {
    if (this.cancelable(payment) !== true)
      return mollieError(422, 'Unprocessable Entity', 'The payment cannot be cancelled');
    payment.status = 'canceled';
    return json(200, this.view(payment, []), 'application/hal+json');
  }

  private async capture(payment: SimPayment, body: Record<string, any>): Promise<SimResponse> {
    if (payment.status !== 'authorized')
      return mollieError(
        422,
        'Unprocessable Entity',
        `The payment cannot be captured (status ${payment.status})`,
      );
    if (body.amount !== undefined) {
      const problem = this.checkAmount(body.amount, 'amount', payment.amount.currency);
      if (problem) return problem;
      if (minor(body.amount) > minor(payment.amount) - this.captured(payment))
        return mollieError(
          422,
          'Unprocessable Entity',
          'The capture amount is higher than the remaining authorized amount',
          'amount.value',
        );
    }
    // One capture at a time; after a partial one the payment stays authorized for the rest.
    if (payment.captures.some((c) => c.status === 'pending'))
      return mollieError(
        422,
        'Unprocessable Entity',
        'The payment cannot be captured while a capture is pending',
      );
    const capture: SimCapture = {
      resource: 'capture',
      id: `cpt_${randomBytes(5).toString('hex')}`,
      mode: payment.mode,
      status: 'pending',
      amount:
        body.amount ??
        amountOf(payment.amount.currency, minor(payment.amount) - this.captured(payment)),
      description: body.description ?? '',
      metadata: body.metadata ?? null,
      paymentId: payment.id,
      createdAt: new Date().toISOString(),
    };
    payment.captures.push(capture);
    if (this.pendingCaptures) return json(201, capture, 'application/hal+json');
    this.settleCapture(payment, capture, 'succeeded');
    await this.notify(payment);
    return json(201, capture, 'application/hal+json');
  }

  /**
   * A capture that succeeded counts in amountCaptured; the payment is paid once all of it is
   * captured, and stays authorized for the rest after a partial one (release-authorization: "If
   * there is a successful capture, the payment will transition to `paid`"). A failed capture
   * leaves it as it was.
   */
  private settleCapture(
    payment: SimPayment,
    capture: SimCapture,
    status: 'succeeded' | 'failed',
  ): void {
    capture.status = status;
    if (status !== 'succeeded') return;
    const captured = this.captured(payment);
    payment.amountCaptured = amountOf(payment.amount.currency, captured);
    if (captured >= minor(payment.amount)) payment.status = 'paid';
  }

  /** The total of the payment's captures that succeeded, in minor units. */
  private captured(payment: SimPayment): number {
    return payment.captures
      .filter((c) => c.status === 'succeeded')
      .reduce((sum, c) => sum + minor(c.amount), 0);
  }

  /**
   * release-authorization: only an authorized payment (422 otherwise, the spec's example
   * detail). The rest is let go and the payment becomes `paid` when a capture succeeded,
   * `canceled` without one; 202 with no body, and the webhook afterwards as for any change.
   * `testmode` is refused, as the spec says an API key must not send it. A release while a
   * capture is pending is refused too: the spec does not say what Mollie does then, and the
   * connector never asks for it.
   */
  private releaseAuthorization(payment: SimPayment, body: Record<string, any>): SimResponse {
    const unknown = Object.keys(body).find((key) => key !== 'profileId');
    if (unknown)
      return mollieError(
        422,
        'Unprocessable Entity',
        unknown === 'testmode'
          ? 'The testmode parameter is not allowed with an API key'
          : `Unknown field ${unknown}`,
        unknown,
      );
    if (payment.status !== 'authorized')
      return mollieError(
        422,
        'Unprocessable Entity',
        'Authorization cannot be released because the payment is not in the authorized state.',
      );
    if (payment.captures.some((c) => c.status === 'pending'))
      return mollieError(
        422,
        'Unprocessable Entity',
        'The simulator does not release an authorization while a capture is pending',
      );
    if (this.refuseNextRelease) {
      this.refuseNextRelease = false;
      return mollieError(422, 'Unprocessable Entity', 'The authorization could not be released');
    }
    const captured = this.captured(payment);
    payment.released = amountOf(payment.amount.currency, minor(payment.amount) - captured);
    payment.status = captured > 0 ? 'paid' : 'canceled';
    this.later(() => this.notify(payment));
    return { status: 202 };
  }

  /** Captures held pending (pendingCaptures) are done now; Mollie calls the payment's webhook unless `notify` is false. */
  async settlePendingCaptures(options: {
    notify: boolean;
    status?: 'succeeded' | 'failed';
  }): Promise<number> {
    let settled = 0;
    for (const payment of this.payments.values()) {
      const open = payment.captures.filter((c) => c.status === 'pending');
      for (const capture of open)
        this.settleCapture(payment, capture, options.status ?? 'succeeded');
      settled += open.length;
      if (open.length > 0 && options.notify) await this.notify(payment);
    }
    return settled;
  }

  private async refund(payment: SimPayment, body: Record<string, any>): Promise<SimResponse> {
    if (payment.status !== 'paid')
      return mollieError(
        422,
        'Unprocessable Entity',
        `The payment cannot be refunded (status ${payment.status})`,
      );
    const problem = this.checkAmount(body.amount, 'amount', payment.amount.currency);
    if (problem) return problem;
    const captured = minor(payment.amountCaptured ?? payment.amount);
    const refunded = payment.refunds
      .filter((r) => r.status !== 'failed' && r.status !== 'canceled')
      .reduce((sum, r) => sum + minor(r.amount), 0);
    if (minor(body.amount) > captured - refunded)
      return mollieError(
        422,
        'Unprocessable Entity',
        'The amount is higher than the remaining amount',
        'amount.value',
      );
    const refund: SimRefund = {
      resource: 'refund',
      id: `re_${randomBytes(5).toString('hex')}`,
      paymentId: payment.id,
      status: 'pending',
      amount: body.amount,
      description: body.description ?? '',
      metadata: body.metadata ?? null,
      createdAt: new Date().toISOString(),
    };
    payment.refunds.push(refund);
    const fails = this.failNextRefund;
    this.failNextRefund = false;
    if (this.settleRefunds) {
      setImmediate(() => {
        this.settle(payment, refund, fails ? 'failed' : 'refunded');
        void this.notify(payment);
      });
    }
    return json(201, refund, 'application/hal+json');
  }

  private settle(payment: SimPayment, refund: SimRefund, status: 'refunded' | 'failed'): void {
    refund.status = status;
    const refunded = payment.refunds
      .filter((r) => r.status === 'refunded')
      .reduce((sum, r) => sum + minor(r.amount), 0);
    if (refunded > 0) payment.amountRefunded = amountOf(payment.amount.currency, refunded);
  }

  /** Refunds held pending (settleRefunds false) are done now; Mollie calls the webhook unless `notify` is false. */
  async settlePendingRefunds(options: {
    notify: boolean;
    status?: 'refunded' | 'failed';
  }): Promise<number> {
    let settled = 0;
    for (const payment of this.payments.values()) {
      const open = payment.refunds.filter((r) => r.status === 'pending');
      for (const refund of open) this.settle(payment, refund, options.status ?? 'refunded');
      settled += open.length;
      if (open.length > 0 && options.notify) await this.notify(payment);
    }
    return settled;
  }

  /** A refund made in Mollie's own dashboard: done at once, and nobody is told. */
  dashboardRefund(id: string, value: number): void {
    const payment = this.payments.get(id)!;
    const refund: SimRefund = {
      resource: 'refund',
      id: `re_${randomBytes(5).toString('hex')}`,
      paymentId: id,
      status: 'pending',
      amount: amountOf(payment.amount.currency, value),
      description: 'dashboard',
      metadata: null,
      createdAt: new Date().toISOString(),
    };
    payment.refunds.push(refund);
    this.settle(payment, refund, 'refunded');
  }

  /** Mollie calls the payment's webhook, as after any change (a refund made in its dashboard, say). */
  async callWebhook(id: string): Promise<void> {
    await this.notify(this.payments.get(id)!);
  }

  /**
   * The customer's bank reverses a paid payment (all that was captured, or `value`): Mollie keeps
   * it `paid`, adds a chargeback (reversedAt null) and reports amountChargedBack, then calls the
   * webhook. Returns the chargeback's id.
   */
  async chargeback(id: string, value?: number): Promise<string> {
    const payment = this.payments.get(id)!;
    const chargeback: SimChargeback = {
      resource: 'chargeback',
      id: `chb_${randomBytes(5).toString('hex')}`,
      amount:
        value === undefined
          ? (payment.amountCaptured ?? payment.amount)
          : amountOf(payment.amount.currency, value),
      reason: null,
      paymentId: id,
      createdAt: new Date().toISOString(),
      reversedAt: null,
      _links: {},
    };
    chargeback._links = {
      self: {
        href: `${this.url}/v2/payments/${id}/chargebacks/${chargeback.id}`,
        type: 'application/hal+json',
      },
      payment: { href: `${this.url}/v2/payments/${id}`, type: 'application/hal+json' },
      documentation: {
        href: 'https://docs.mollie.com/reference/get-chargeback',
        type: 'text/html',
      },
    };
    payment.chargebacks.push(chargeback);
    this.chargedBack(payment);
    await this.notify(payment);
    return chargeback.id;
  }

  /**
   * The merchant won the dispute: the chargeback (the payment's last one not reversed, unless
   * `chargebackId` names one) gets its reversedAt, amountChargedBack drops by its amount (and is
   * omitted at zero), and Mollie calls the payment's webhook, as after any change.
   */
  async reverseChargeback(id: string, chargebackId?: string): Promise<void> {
    const payment = this.payments.get(id)!;
    const chargeback = chargebackId
      ? payment.chargebacks.find((c) => c.id === chargebackId)
      : payment.chargebacks.filter((c) => c.reversedAt === null).at(-1);
    if (!chargeback || chargeback.reversedAt !== null)
      throw new Error(`no chargeback to reverse on ${id}`);
    chargeback.reversedAt = new Date().toISOString();
    this.chargedBack(payment);
    await this.notify(payment);
  }

  /** amountChargedBack: the chargebacks not reversed; "only available when … not zero". */
  private chargedBack(payment: SimPayment): void {
    const total = payment.chargebacks
      .filter((c) => c.reversedAt === null)
      .reduce((sum, c) => sum + minor(c.amount), 0);
    if (total > 0) payment.amountChargedBack = amountOf(payment.amount.currency, total);
    else delete payment.amountChargedBack;
  }

  /** The hosted checkout: a form whose button decides the outcome. */
  private async checkout(request: SimRequest, id: string): Promise<SimResponse> {
    const payment = this.payments.get(id);
    if (!payment) return { status: 404, body: 'unknown payment' };
    if (request.method === 'GET')
      return checkoutPage(`Mollie checkout ${id}`, ['paid', 'failed', 'canceled', 'expired']);
    if (payment.status !== 'open') return { status: 409, body: `payment is ${payment.status}` };
    const fields = formFields(request.body);
    const outcome = fields.outcome;
    if (!['paid', 'failed', 'canceled', 'expired'].includes(outcome))
      return { status: 400, body: 'unknown outcome' };
    if (fields.method !== undefined && !METHODS.has(fields.method))
      return { status: 400, body: 'unknown method' };
    // Mollie fills in `method` with what the customer picked (unless the shop fixed it).
    if (['paid', 'failed'].includes(outcome)) payment.method ??= fields.method ?? 'ideal';
    // A manual-capture payment is authorized, not paid, when the customer completes it.
    payment.status =
      outcome === 'paid' && payment.captureMode === 'manual' ? 'authorized' : outcome;
    if (payment.status === 'paid') payment.amountCaptured = payment.amount;
    await this.notify(payment);
    return redirect(
      outcome === 'canceled' && payment.cancelUrl ? payment.cancelUrl : payment.redirectUrl,
    );
  }

  private async notify(payment: SimPayment): Promise<void> {
    if (!payment.webhookUrl) return;
    await this.sendWebhook(
      payment.webhookUrl,
      { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Mollie/1.0' },
      new URLSearchParams({ id: payment.id }).toString(),
    );
  }
}
