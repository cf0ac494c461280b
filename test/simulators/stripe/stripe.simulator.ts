import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import {
  checkoutPage,
  FaultMatch,
  formFields,
  IdempotencyStore,
  json,
  PspSimulator,
  redirect,
  SimRequest,
  SimResponse,
} from '../psp-simulator';

type Params = { [key: string]: string | Params };

/** Stripe's bracket notation (`a[b][0][c]=v`) to nested objects. */
export function parseStripeForm(body: string): Params {
  const root: Params = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.replace(/\]/g, '').split('[');
    let node = root;
    parts.forEach((part, index) => {
      if (index === parts.length - 1) node[part] = value;
      else node = (node[part] ??= {}) as Params;
    });
  }
  return root;
}

const CURRENCIES = new Set([
  'eur',
  'usd',
  'gbp',
  'chf',
  'sek',
  'nok',
  'dkk',
  'pln',
  'czk',
  'ron',
  'bgn',
  'cad',
  'aud',
  'nzd',
  'sgd',
  'hkd',
  'mxn',
  'brl',
  'jpy',
]);
/**
 * The smallest charge per currency, in minor units (docs.stripe.com/currencies, "Minimum and
 * maximum charge amounts"); the simulator's own copy, so it checks the connector's.
 */
const MINIMUM_AMOUNTS: Readonly<Record<string, number>> = {
  eur: 50,
  usd: 50,
  gbp: 30,
  chf: 50,
  sek: 300,
  nok: 300,
  dkk: 250,
  pln: 200,
  czk: 1500,
  ron: 200,
  bgn: 100,
  cad: 50,
  aud: 50,
  nzd: 50,
  sgd: 50,
  hkd: 400,
  mxn: 1000,
  brl: 50,
  jpy: 50,
};
const SESSION_PARAMS = new Set([
  'mode',
  'success_url',
  'cancel_url',
  'client_reference_id',
  'line_items',
  // API version 2026-10-28 replaced payment_method_types here (stripe CHANGELOG, v23): sending it
  // is an unknown parameter.
  'allowed_payment_method_types',
  'customer_email',
  'locale',
  'metadata',
  'payment_intent_data',
  'expires_at',
  'discounts',
]);

/**
 * `allowed_payment_method_types[]` values: SessionCreateParams.AllowedPaymentMethodType in the
 * installed `stripe` package (resources/Checkout/Sessions.d.ts).
 */
const PAYMENT_METHOD_TYPES = new Set(
  (
    'acss_debit affirm afterpay_clearpay alipay alma amazon_pay au_becs_debit bacs_debit bancontact ' +
    'billie bizum blik boleto card cashapp crypto customer_balance eps fpx giropay grabpay ideal ' +
    'kakao_pay klarna konbini kr_card link mb_way mobilepay multibanco naver_pay nz_bank_account ' +
    'oxxo p24 pay_by_bank payco paynow paypal paypay payto pix promptpay revolut_pay samsung_pay ' +
    'satispay scalapay sepa_debit sequra sofort sunbit swish twint upi us_bank_account wechat_pay zip'
  ).split(' '),
);

/**
 * Answers to requests that failed validation before Stripe began executing them: Stripe saves
 * no idempotent result for those (docs.stripe.com/idempotency), so a retry with the same key
 * is handled afresh.
 */
const NOT_EXECUTED = new WeakSet<SimResponse>();

/** Checkout's `locale` values: SessionCreateParams.Locale in the installed `stripe` package. */
const LOCALES = new Set(
  (
    'auto bg cs da de el en en-GB es es-419 et fi fil fr fr-CA hi-IN hr hu id it ja ko lt lv ' +
    'ms mt nb nl pl pt pt-BR ro ru sk sl sv th tr vi zh zh-HK zh-TW'
  ).split(' '),
);

/** The payment methods this simulated account has enabled in its dashboard. */
const DASHBOARD_METHODS = ['card', 'ideal', 'bancontact', 'eps', 'klarna', 'paypal'];

/** `allowed_payment_method_types[n]`: a list of known types (Sessions.d.ts, see above). */
function allowedTypes(params: Params): { types: string[] | null } | { error: SimResponse } {
  const raw = params.allowed_payment_method_types;
  if (raw === undefined) return { types: null };
  if (typeof raw !== 'object' || Object.keys(raw).length === 0)
    return { error: invalidParam('Invalid array', 'allowed_payment_method_types') };
  const types: string[] = [];
  for (const [index, type] of Object.entries(raw)) {
    if (typeof type !== 'string' || !PAYMENT_METHOD_TYPES.has(type))
      return {
        error: invalidParam(
          `Invalid allowed_payment_method_types[${index}]: must be one of ${[...PAYMENT_METHOD_TYPES].join(', ')}`,
          `allowed_payment_method_types[${index}]`,
        ),
      };
    types.push(type);
  }
  return { types };
}

/**
 * Stripe's error body (docs.stripe.com/api/errors). Codes `parameter_*` are Stripe's names
 * for a parameter that failed validation, so those answers are marked as not executed.
 */
function stripeError(
  status: number,
  type: string,
  message: string,
  param?: string,
  code?: string,
): SimResponse {
  const response = json(status, {
    error: {
      type,
      message,
      ...(param ? { param } : {}),
      ...(code ? { code } : {}),
      request_log_url: 'https://dashboard.stripe.com/test/logs/req_sim',
    },
  });
  if (code?.startsWith('parameter_')) NOT_EXECUTED.add(response);
  return response;
}

/** A parameter Stripe refuses during validation (not executed, see NOT_EXECUTED). */
function invalidParam(message: string, param: string): SimResponse {
  const response = stripeError(400, 'invalid_request_error', message, param);
  NOT_EXECUTED.add(response);
  return response;
}

/**
 * Where a form key sets metadata, the object it belongs to (`metadata`,
 * `payment_intent_data[metadata]`…) and the rest of the key, which must be one `[name]`.
 */
function metadataKey(key: string): { parent: string; rest: string } | null {
  let parent = /^[^[\]]*/.exec(key)![0];
  let at = parent.length;
  while (parent !== 'metadata' && !parent.endsWith('[metadata]')) {
    const segment = /^\[[^[\]]*\]/.exec(key.slice(at));
    if (!segment) return null;
    parent += segment[0];
    at += segment[0].length;
  }
  return { parent, rest: key.slice(at) };
}

/**
 * Stripe's metadata rules (docs.stripe.com/metadata): up to 50 keys, keys of up to 40
 * characters that contain no square brackets, values of up to 500 characters. Read from the
 * raw form, where a bracket inside a key (`metadata[a[b]]`) is still visible.
 */
function metadataError(body: string): SimResponse | null {
  const objects = new Map<string, number>();
  for (const [key, value] of new URLSearchParams(body)) {
    const found = metadataKey(key);
    if (!found) continue;
    if (found.rest === '') {
      if (value === '') continue; // `metadata=` empties it
      return invalidParam('Invalid object', found.parent);
    }
    const name = /^\[([^[\]]+)\]$/.exec(found.rest)?.[1];
    if (name === undefined)
      return invalidParam(
        `Invalid metadata key ${JSON.stringify(key.slice(found.parent.length + 1, -1))}: metadata keys cannot contain square brackets.`,
        found.parent,
      );
    if (name.length > 40)
      return invalidParam(
        `Invalid key: ${name} must be a string of at most 40 characters`,
        found.parent,
      );
    if (value.length > 500)
      return invalidParam(
        `Invalid value for metadata key ${name}: must be a string of at most 500 characters`,
        found.parent,
      );
    objects.set(found.parent, (objects.get(found.parent) ?? 0) + 1);
  }
  for (const [parent, count] of objects)
    if (count > 50)
      return invalidParam(`Metadata can have at most 50 keys; this request sets ${count}.`, parent);
  return null;
}

/** A request kept in progress until released (see StripeSimulator.holdNextCall). */
interface Hold {
  match: FaultMatch;
  taken: boolean;
  gate: Promise<void>;
  done: Promise<void>;
  finish: () => void;
}

interface SimIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  status: string;
  capture_method: string;
  metadata: Params;
  last_payment_error: unknown;
  /** The PaymentMethod id (pm_…); expanded to the object with `expand[]=payment_intent.payment_method`. */
  payment_method: string | null;
  payment_method_types: string[];
  /** The Charge of the payment (ch_…), once paid or authorized. */
  latest_charge: string | null;
  livemode: false;
}
interface SimCoupon {
  id: string;
  object: 'coupon';
  amount_off: number;
  currency: string;
  duration: string;
  max_redemptions: number | null;
  name: string | null;
  times_redeemed: number;
  valid: boolean;
}
interface SimPaymentMethod {
  id: string;
  object: 'payment_method';
  type: string;
  livemode: false;
}
interface SimSession {
  id: string;
  object: 'checkout.session';
  mode: string;
  status: string;
  payment_status: string;
  amount_total: number;
  currency: string;
  client_reference_id: string | null;
  success_url: string;
  cancel_url: string | null;
  url: string | null;
  metadata: Params;
  payment_intent: string | null;
  /** What the shop allowed (null: all the methods enabled in the dashboard). */
  allowed_payment_method_types: string[] | null;
  /** The types Checkout offers: the allowed ones, else those enabled in the dashboard. */
  payment_method_types: string[];
  livemode: false;
  captureMethod: string;
  intentMetadata: Params;
  /** What line_items said (Stripe lists them at /line_items; kept here for the suites). */
  lineItems: { name: string; unit_amount: number; quantity: number }[];
  expires_at: number | null;
  /** Unix seconds. */
  created: number;
}
interface SimRefund {
  id: string;
  object: 'refund';
  amount: number;
  currency: string;
  payment_intent: string;
  status: string;
  reason: string | null;
  metadata: Params;
}

/**
 * A stateful stand-in for Stripe Checkout Sessions, PaymentIntents and Refunds: Bearer
 * secret key, form-encoded bodies with bracket notation (JSON is refused), unknown
 * parameters refused, Stripe's metadata limits, integer minor-unit amounts, idempotency keys
 * (see `idempotent`), and events signed with `Stripe-Signature` by the official `stripe`
 * package, sent to the registered endpoint for the event types it is subscribed to.
 */
export class StripeSimulator extends PspSimulator {
  readonly sessions = new Map<string, SimSession>();
  readonly intents = new Map<string, SimIntent>();
  readonly refunds = new Map<string, SimRefund>();
  readonly paymentMethods = new Map<string, SimPaymentMethod>();
  readonly coupons = new Map<string, SimCoupon>();
  /** The latest dispute of each PaymentIntent, by its id. */
  readonly disputes = new Map<string, Record<string, any>>();
  readonly events: { id: string; type: string }[] = [];
  /** The next refund is accepted (pending) and then fails, as when the card account is closed. */
  failNextRefund = false;
  /** Refunds stay pending (no event) until settlePendingRefunds(), as slow refunds do at Stripe. */
  holdRefunds = false;
  /**
   * The webhook endpoint registered in the dashboard, with the event types it is subscribed to
   * (`enabled_events`; all of them when unset).
   */
  endpoint?: { url: string; secret: string; events?: string[] };
  private readonly idempotency = new IdempotencyStore();
  /** The keys answered 409 idempotency_key_in_use, in order. */
  readonly keysInUse: string[] = [];
  /** Idempotency keys whose first request is still being carried out. */
  private readonly running = new Set<string>();
  private readonly holds: Hold[] = [];
  private readonly failures: FaultMatch[] = [];

  constructor(readonly secretKey = `sk_test_${randomBytes(12).toString('hex')}`) {
    super();
  }

  protected isApi(request: SimRequest): boolean {
    return request.path.startsWith('/v1/');
  }

  protected async handle(request: SimRequest): Promise<SimResponse> {
    const page = /^\/c\/pay\/(cs_test_\w+)$/.exec(request.path);
    if (page) return this.checkout(request, page[1]);
    if (request.headers.authorization !== `Bearer ${this.secretKey}`) {
      return stripeError(
        401,
        'invalid_request_error',
        `Invalid API Key provided: ${String(request.headers.authorization ?? '').slice(7, 15)}****`,
      );
    }
    const version = request.headers['stripe-version'];
    if (version !== undefined && !/^\d{4}-\d{2}-\d{2}(\.\w+)?$/.test(String(version))) {
      return stripeError(
        400,
        'invalid_request_error',
        `Invalid Stripe API version: ${String(version)}`,
      );
    }
    let params: Params = {};
    if (request.method === 'POST') {
      const type = String(request.headers['content-type'] ?? '');
      if (request.body && !type.startsWith('application/x-www-form-urlencoded')) {
        return stripeError(
          400,
          'invalid_request_error',
          `Invalid request: unsupported Content-Type ${type}. If error persists and you need assistance, please contact support@stripe.com.`,
        );
      }
      const invalid = metadataError(request.body);
      if (invalid) return invalid;
      params = parseStripeForm(request.body);
      const key = request.headers['idempotency-key'];
      if (typeof key === 'string') return this.idempotent(key, request, params);
      return this.post(request.path, params, this.takeHold(request));
    }
    if (request.path === '/v1/balance')
      return json(200, {
        object: 'balance',
        available: [{ amount: 0, currency: 'eur', source_types: { card: 0 } }],
        pending: [{ amount: 0, currency: 'eur', source_types: { card: 0 } }],
        livemode: false,
      });
    if (request.path === '/v1/refunds') {
      const intent = request.query.get('payment_intent');
      const data = [...this.refunds.values()].filter((r) => !intent || r.payment_intent === intent);
      return json(200, { object: 'list', data, has_more: false, url: '/v1/refunds' });
    }
    const refund = /^\/v1\/refunds\/([^/]+)$/.exec(request.path);
    if (refund) {
      const found = this.refunds.get(refund[1]);
      return found
        ? json(200, found)
        : stripeError(
            404,
            'invalid_request_error',
            `No such refund: '${refund[1]}'`,
            'id',
            'resource_missing',
          );
    }
    const intent = /^\/v1\/payment_intents\/([^/]+)$/.exec(request.path);
    if (intent) {
      const found = this.intents.get(intent[1]);
      return found
        ? json(200, found)
        : stripeError(
            404,
            'invalid_request_error',
            `No such payment_intent: '${intent[1]}'`,
            'intent',
            'resource_missing',
          );
    }
    if (request.path === '/v1/checkout/sessions') {
      const intent = request.query.get('payment_intent');
      const data = [...this.sessions.values()]
        .filter((s) => !intent || s.payment_intent === intent)
        .map((s) => this.sessionView(s, false));
      return json(200, { object: 'list', data, has_more: false, url: '/v1/checkout/sessions' });
    }
    const session = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(request.path);
    if (session) {
      const found = this.sessions.get(session[1]);
      if (!found)
        return stripeError(
          404,
          'invalid_request_error',
          `No such checkout.session: '${session[1]}'`,
          'session',
          'resource_missing',
        );
      const expand = request.query.getAll('expand[]');
      const unknown = expand.find(
        (path) => !['payment_intent', 'payment_intent.payment_method'].includes(path),
      );
      if (unknown)
        return stripeError(
          400,
          'invalid_request_error',
          `This property cannot be expanded (${unknown}).`,
          'expand',
        );
      return json(
        200,
        this.sessionView(
          found,
          expand.includes('payment_intent'),
          expand.includes('payment_intent.payment_method'),
        ),
      );
    }
    return stripeError(
      404,
      'invalid_request_error',
      `Unrecognized request URL (GET: ${request.path}).`,
    );
  }

  /**
   * A POST with an Idempotency-Key (docs.stripe.com/idempotency): the saved result of the
   * first request with this key is replayed, whatever it was (500s included); the key with
   * another endpoint or other parameters is refused; while the first request is still being
   * carried out a repeat gets 409 idempotency_key_in_use (docs.stripe.com/api/errors).
   * Nothing is saved for a request that failed validation or met such a conflict.
   */
  private async idempotent(key: string, request: SimRequest, params: Params): Promise<SimResponse> {
    const fingerprint = `${request.path} ${JSON.stringify(params)}`;
    if (this.running.has(key)) {
      this.keysInUse.push(key);
      return stripeError(
        409,
        'idempotency_error',
        `Another request with the idempotency key '${key}' is still in progress; retry once it has finished.`,
        undefined,
        'idempotency_key_in_use',
      );
    }
    const seen = this.idempotency.lookup(key, fingerprint);
    if (seen === 'conflict')
      return stripeError(
        400,
        'idempotency_error',
        `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      );
    if (seen) return { ...seen, headers: { ...seen.headers, 'idempotent-replayed': 'true' } };
    this.running.add(key);
    let response: SimResponse;
    try {
      response = await this.post(request.path, params, this.takeHold(request));
    } catch (error) {
      response = stripeError(500, 'api_error', `Simulator failure: ${(error as Error).message}`);
    } finally {
      this.running.delete(key);
    }
    if (!NOT_EXECUTED.has(response)) this.idempotency.remember(key, fingerprint, response);
    return response;
  }

  /**
   * The next POST that `match` fits stays in progress at Stripe (not executed, not answered)
   * until `release()`, which then lets it execute and waits for it: a slow request whose
   * caller may give up meanwhile.
   */
  holdNextCall(match: FaultMatch = {}): { release: () => Promise<void> } {
    let open!: () => void;
    let finished!: () => void;
    const hold: Hold = {
      match,
      taken: false,
      gate: new Promise<void>((resolve) => (open = resolve)),
      done: new Promise<void>((resolve) => (finished = resolve)),
      finish: () => finished(),
    };
    this.holds.push(hold);
    return {
      release: async () => {
        open();
        if (hold.taken) await hold.done;
        else this.holds.splice(this.holds.indexOf(hold), 1);
      },
    };
  }

  private takeHold(request: SimRequest): Hold | undefined {
    const index = this.holds.findIndex(
      ({ match }) =>
        (!match.method || match.method === request.method) &&
        (!match.path || match.path.test(request.path)),
    );
    if (index < 0) return undefined;
    const [hold] = this.holds.splice(index, 1);
    hold.taken = true;
    return hold;
  }

  /**
   * The next POST that `match` fits fails inside Stripe: 500 api_error, nothing done. With an
   * Idempotency-Key that answer is saved and replayed like any other (docs.stripe.com/idempotency).
   */
  failNextExecution(match: FaultMatch = {}): void {
    this.failures.push(match);
  }

  private async post(path: string, params: Params, hold?: Hold): Promise<SimResponse> {
    if (hold) await hold.gate;
    try {
      const failure = this.failures.findIndex(
        (match) =>
          (!match.method || match.method === 'POST') && (!match.path || match.path.test(path)),
      );
      if (failure < 0) return await this.execute(path, params);
      this.failures.splice(failure, 1);
      return stripeError(500, 'api_error', 'An unknown error occurred');
    } finally {
      hold?.finish();
    }
  }

  private async execute(path: string, params: Params): Promise<SimResponse> {
    if (path === '/v1/checkout/sessions') return this.createSession(params);
    if (path === '/v1/coupons') return this.createCoupon(params);
    if (path === '/v1/refunds') return this.createRefund(params);
    let match = /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/.exec(path);
    if (match) {
      const session = this.sessions.get(match[1]);
      if (!session)
        return stripeError(
          404,
          'invalid_request_error',
          `No such checkout.session: '${match[1]}'`,
          'session',
          'resource_missing',
        );
      if (session.status !== 'open')
        return stripeError(
          400,
          'invalid_request_error',
          `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of \`${session.status}\`.`,
        );
      this.expire(session);
      this.emitLater('checkout.session.expired', this.sessionView(session, false));
      return json(200, this.sessionView(session, false));
    }
    match = /^\/v1\/payment_intents\/([^/]+)\/(capture|cancel)$/.exec(path);
    if (match) {
      const intent = this.intents.get(match[1]);
      if (!intent)
        return stripeError(
          404,
          'invalid_request_error',
          `No such payment_intent: '${match[1]}'`,
          'intent',
          'resource_missing',
        );
      return match[2] === 'capture' ? this.capture(intent, params) : this.cancelIntent(intent);
    }
    return stripeError(404, 'invalid_request_error', `Unrecognized request URL (POST: ${path}).`);
  }

  /**
   * `line_items[n]` with `price_data` as Checkout takes them: one currency, a non-negative
   * integer unit_amount (Checkout has no negative lines: discounts are coupons), a product
   * name, a positive quantity.
   */
  private lineItems(params: Params):
    | {
        list: { name: string; unit_amount: number; quantity: number }[];
        subtotal: number;
        currency: string;
      }
    | { error: SimResponse } {
    const items = Object.entries((params.line_items ?? {}) as Params);
    if (items.length === 0)
      return {
        error: stripeError(
          400,
          'invalid_request_error',
          'You must specify either `line_items` or `price` for a payment-mode session.',
          'line_items',
          'parameter_missing',
        ),
      };
    const list: { name: string; unit_amount: number; quantity: number }[] = [];
    let currency = '';
    for (const [index, raw] of items) {
      const item = raw as Params;
      const price = item.price_data as Params | undefined;
      const at = `line_items[${index}]`;
      const fail = (message: string, param: string, code: string) => ({
        error: stripeError(400, 'invalid_request_error', message, param, code),
      });
      if (!price)
        return fail(
          `Missing required param: ${at}[price_data].`,
          `${at}[price_data]`,
          'parameter_missing',
        );
      if (typeof price.currency !== 'string' || !CURRENCIES.has(price.currency))
        return fail(
          `Invalid currency: ${String(price.currency)}.`,
          `${at}[price_data][currency]`,
          'parameter_invalid_string',
        );
      if (currency && price.currency !== currency)
        return fail(
          'All line items must have the same currency.',
          `${at}[price_data][currency]`,
          'parameter_invalid_string',
        );
      currency = price.currency;
      if (typeof price.unit_amount !== 'string' || !/^\d+$/.test(price.unit_amount))
        return fail(
          `Invalid non-negative integer: ${String(price.unit_amount)}`,
          `${at}[price_data][unit_amount]`,
          'parameter_invalid_integer',
        );
      const name = (price.product_data as Params | undefined)?.name;
      if (typeof name !== 'string' || !name)
        return fail(
          `Missing required param: ${at}[price_data][product_data][name].`,
          `${at}[price_data][product_data][name]`,
          'parameter_missing',
        );
      if (typeof item.quantity !== 'string' || !/^[1-9]\d*$/.test(item.quantity))
        return fail(
          `Missing required param: ${at}[quantity].`,
          `${at}[quantity]`,
          'parameter_missing',
        );
      list.push({ name, unit_amount: Number(price.unit_amount), quantity: Number(item.quantity) });
    }
    const subtotal = list.reduce((sum, item) => sum + item.unit_amount * item.quantity, 0);
    return { list, subtotal, currency };
  }

  /** `discounts[0][coupon]`: an existing coupon in the session's currency (at most one). */
  private discount(
    params: Params,
    currency: string,
  ): { amountOff: number; coupon?: SimCoupon } | { error: SimResponse } {
    const discounts = Object.values((params.discounts ?? {}) as Params) as Params[];
    if (discounts.length === 0) return { amountOff: 0 };
    const id = discounts[0].coupon;
    const coupon = typeof id === 'string' ? this.coupons.get(id) : undefined;
    if (discounts.length > 1 || !coupon || coupon.currency !== currency)
      return {
        error: stripeError(
          400,
          'invalid_request_error',
          `No such coupon: '${String(id)}'`,
          'discounts[0][coupon]',
          'resource_missing',
        ),
      };
    return { amountOff: coupon.amount_off, coupon };
  }

  /**
   * A total below the currency's minimum charge, as Stripe refuses it (400 amount_too_small,
   * "The Checkout Session's total amount due must add up to at least €0.50 eur").
   */
  private belowMinimum(total: number, currency: string): SimResponse | null {
    const minimum = MINIMUM_AMOUNTS[currency];
    if (minimum === undefined || total >= minimum) return null;
    const shown = new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency,
      currencyDisplay: 'narrowSymbol',
    }).format(minimum / (currency === 'jpy' ? 1 : 100));
    return stripeError(
      400,
      'invalid_request_error',
      `The Checkout Session's total amount due must add up to at least ${shown} ${currency}`,
      undefined,
      'amount_too_small',
    );
  }

  /**
   * `expires_at`: a Unix timestamp 30 minutes to 24 hours after the session is created
   * (Checkout Session API reference, `expires_at`). One second of slack for the whole-second
   * timestamp, none more.
   */
  private expiresAt(params: Params): SimResponse | null {
    if (params.expires_at === undefined) return null;
    const at = Number(params.expires_at);
    const now = Date.now() / 1000;
    if (
      typeof params.expires_at !== 'string' ||
      !/^\d+$/.test(params.expires_at) ||
      at < now + 1800 - 1 ||
      at > now + 86400 + 1
    )
      return stripeError(
        400,
        'invalid_request_error',
        'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.',
        'expires_at',
        'parameter_invalid_integer',
      );
    return null;
  }

  /** POST /v1/coupons: an amount_off coupon (the connector makes one per discounted payment). */
  private createCoupon(params: Params): SimResponse {
    const allowed = new Set([
      'amount_off',
      'currency',
      'duration',
      'max_redemptions',
      'name',
      'metadata',
    ]);
    const unknown = Object.keys(params).find((key) => !allowed.has(key));
    if (unknown)
      return stripeError(
        400,
        'invalid_request_error',
        `Received unknown parameter: ${unknown}`,
        unknown,
        'parameter_unknown',
      );
    if (typeof params.amount_off !== 'string' || !/^[1-9]\d*$/.test(params.amount_off))
      return stripeError(
        400,
        'invalid_request_error',
        'Invalid positive integer',
        'amount_off',
        'parameter_invalid_integer',
      );
    if (typeof params.currency !== 'string' || !CURRENCIES.has(params.currency))
      return stripeError(
        400,
        'invalid_request_error',
        'You must pass currency when passing amount_off',
        'currency',
        'parameter_missing',
      );
    if (
      params.duration !== undefined &&
      !['once', 'repeating', 'forever'].includes(params.duration as string)
    )
      return stripeError(
        400,
        'invalid_request_error',
        'Invalid duration',
        'duration',
        'parameter_invalid_string',
      );
    const coupon: SimCoupon = {
      id: randomBytes(4).toString('hex'),
      object: 'coupon',
      amount_off: Number(params.amount_off),
      currency: params.currency,
      duration: (params.duration as string | undefined) ?? 'once',
      max_redemptions: params.max_redemptions ? Number(params.max_redemptions) : null,
      name: (params.name as string | undefined) ?? null,
      times_redeemed: 0,
      valid: true,
    };
    this.coupons.set(coupon.id, coupon);
    return json(200, coupon);
  }

  private createSession(params: Params): SimResponse {
    const unknown = Object.keys(params).find((key) => !SESSION_PARAMS.has(key));
    if (unknown)
      return stripeError(
        400,
        'invalid_request_error',
        `Received unknown parameter: ${unknown}`,
        unknown,
        'parameter_unknown',
      );
    if (params.mode !== 'payment')
      return stripeError(
        400,
        'invalid_request_error',
        'Missing required param: mode.',
        'mode',
        'parameter_missing',
      );
    if (typeof params.success_url !== 'string')
      return stripeError(
        400,
        'invalid_request_error',
        'Missing required param: success_url.',
        'success_url',
        'parameter_missing',
      );
    const items = this.lineItems(params);
    if ('error' in items) return items.error;
    const expiry = this.expiresAt(params);
    if (expiry) return expiry;
    const allowed = allowedTypes(params);
    if ('error' in allowed) return allowed.error;
    if (params.locale !== undefined && !LOCALES.has(params.locale as string))
      return stripeError(
        400,
        'invalid_request_error',
        `Invalid locale: must be one of ${[...LOCALES].join(', ')}`,
        'locale',
        'parameter_invalid_string',
      );
    const intentData = (params.payment_intent_data ?? {}) as Params;
    const captureMethod = (intentData.capture_method as string | undefined) ?? 'automatic_async';
    if (!['automatic', 'automatic_async', 'manual'].includes(captureMethod))
      return stripeError(
        400,
        'invalid_request_error',
        `Invalid payment_intent_data[capture_method]: must be one of automatic, automatic_async, or manual`,
        'payment_intent_data[capture_method]',
        'parameter_invalid_string',
      );
    const discount = this.discount(params, items.currency);
    if ('error' in discount) return discount.error;
    const small = this.belowMinimum(items.subtotal - discount.amountOff, items.currency);
    if (small) return small;
    // Last: the coupon is redeemed only by a session that passed validation.
    if (discount.coupon) discount.coupon.times_redeemed += 1;
    const id = `cs_test_${randomBytes(12).toString('hex')}`;
    const session: SimSession = {
      id,
      object: 'checkout.session',
      mode: 'payment',
      status: 'open',
      payment_status: 'unpaid',
      amount_total: items.subtotal - discount.amountOff,
      currency: items.currency,
      lineItems: items.list,
      expires_at: params.expires_at ? Number(params.expires_at) : null,
      created: Math.floor(Date.now() / 1000),
      client_reference_id: (params.client_reference_id as string | undefined) ?? null,
      success_url: params.success_url,
      cancel_url: (params.cancel_url as string | undefined) ?? null,
      url: `${this.url}/c/pay/${id}`,
      metadata: (params.metadata ?? {}) as Params,
      payment_intent: null,
      allowed_payment_method_types: allowed.types,
      payment_method_types: allowed.types ?? DASHBOARD_METHODS,
      livemode: false,
      captureMethod,
      intentMetadata: (intentData.metadata ?? {}) as Params,
    };
    this.sessions.set(id, session);
    return json(200, this.sessionView(session, false));
  }

  private sessionView(session: SimSession, expandIntent: boolean, expandMethod = false) {
    const view: Partial<SimSession> = { ...session };
    delete view.captureMethod;
    delete view.intentMetadata;
    delete view.lineItems;
    const intent = session.payment_intent ? this.intents.get(session.payment_intent) : undefined;
    // Like Stripe: a nested expansion only applies inside an expanded parent.
    const method =
      expandMethod && intent?.payment_method
        ? this.paymentMethods.get(intent.payment_method)
        : undefined;
    return {
      ...view,
      payment_intent:
        expandIntent && intent
          ? { ...intent, payment_method: method ?? intent.payment_method }
          : session.payment_intent,
    };
  }

  private expire(session: SimSession): void {
    session.status = 'expired';
    session.url = null;
  }

  private async capture(intent: SimIntent, params: Params): Promise<SimResponse> {
    if (intent.status !== 'requires_capture') {
      return stripeError(
        400,
        'invalid_request_error',
        `This PaymentIntent could not be captured because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.`,
        undefined,
        'payment_intent_unexpected_state',
      );
    }
    const amount =
      params.amount_to_capture === undefined
        ? intent.amount_capturable
        : Number(params.amount_to_capture);
    if (!Number.isInteger(amount) || amount <= 0 || amount > intent.amount_capturable) {
      return stripeError(
        400,
        'invalid_request_error',
        'The amount to capture must be a positive integer no greater than the amount capturable.',
        'amount_to_capture',
        'amount_too_large',
      );
    }
    intent.status = 'succeeded';
    intent.amount_received = amount;
    intent.amount_capturable = 0;
    this.emitLater('payment_intent.succeeded', intent);
    return json(200, intent);
  }

  /**
   * POST /v1/payment_intents/{id}/cancel. A PaymentIntent a Checkout Session created (all of
   * this simulator's) is canceled only in requires_capture; otherwise the session must be
   * expired (PaymentIntents.d.ts, `cancel`).
   */
  private async cancelIntent(intent: SimIntent): Promise<SimResponse> {
    const byCheckout = [...this.sessions.values()].some((s) => s.payment_intent === intent.id);
    if (byCheckout && intent.status !== 'requires_capture')
      return stripeError(
        400,
        'invalid_request_error',
        `You cannot cancel this PaymentIntent because it has a status of ${intent.status}. A PaymentIntent created by a Checkout Session may be canceled only with a status of requires_capture; expire the Checkout Session instead.`,
        undefined,
        'payment_intent_unexpected_state',
      );
    if (['succeeded', 'canceled'].includes(intent.status)) {
      return stripeError(
        400,
        'invalid_request_error',
        `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`,
        undefined,
        'payment_intent_unexpected_state',
      );
    }
    intent.status = 'canceled';
    intent.amount_capturable = 0;
    this.emitLater('payment_intent.canceled', intent);
    return json(200, intent);
  }

  private async createRefund(params: Params): Promise<SimResponse> {
    const intent =
      typeof params.payment_intent === 'string'
        ? this.intents.get(params.payment_intent)
        : undefined;
    if (!intent)
      return stripeError(
        400,
        'invalid_request_error',
        'Missing required param: payment_intent.',
        'payment_intent',
        'parameter_missing',
      );
    if (intent.status !== 'succeeded')
      return stripeError(
        400,
        'invalid_request_error',
        `This PaymentIntent does not have a successful charge to refund.`,
        'payment_intent',
        'charge_not_refundable',
      );
    const refunded = [...this.refunds.values()]
      .filter(
        (r) => r.payment_intent === intent.id && r.status !== 'failed' && r.status !== 'canceled',
      )
      .reduce((sum, r) => sum + r.amount, 0);
    if (
      params.amount !== undefined &&
      (typeof params.amount !== 'string' || !/^\d+$/.test(params.amount))
    )
      return stripeError(
        400,
        'invalid_request_error',
        `Invalid integer: ${String(params.amount)}`,
        'amount',
        'parameter_invalid_integer',
      );
    const amount =
      params.amount === undefined ? intent.amount_received - refunded : Number(params.amount);
    if (amount <= 0 || amount > intent.amount_received - refunded) {
      return stripeError(
        400,
        'invalid_request_error',
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${intent.amount_received - refunded})`,
        'amount',
        'amount_too_large',
      );
    }
    if (
      params.reason !== undefined &&
      !['duplicate', 'fraudulent', 'requested_by_customer'].includes(params.reason as string)
    ) {
      return stripeError(
        400,
        'invalid_request_error',
        'Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer',
        'reason',
        'parameter_invalid_string',
      );
    }
    const refund: SimRefund = {
      id: `re_${randomBytes(12).toString('hex')}`,
      object: 'refund',
      amount,
      currency: intent.currency,
      payment_intent: intent.id,
      status: 'pending',
      reason: (params.reason as string | undefined) ?? null,
      metadata: (params.metadata ?? {}) as Params,
    };
    this.refunds.set(refund.id, refund);
    this.refundCreated(intent, refund);
    const fails = this.failNextRefund;
    this.failNextRefund = false;
    if (!this.holdRefunds) {
      setImmediate(() => {
        refund.status = fails ? 'failed' : 'succeeded';
        this.emitLater(fails ? 'refund.failed' : 'refund.updated', refund);
      });
    }
    return json(200, refund);
  }

  /**
   * What Stripe sends when a refund is created (docs.stripe.com/api/events/types):
   * `refund.created` with the Refund, and `charge.refunded` with the Charge (whose `refunds`
   * list is not included by default).
   */
  private refundCreated(intent: SimIntent, refund: SimRefund): void {
    this.emitLater('refund.created', refund);
    const refunded = [...this.refunds.values()]
      .filter((r) => r.payment_intent === intent.id && !['failed', 'canceled'].includes(r.status))
      .reduce((sum, r) => sum + r.amount, 0);
    this.emitLater('charge.refunded', {
      id: intent.latest_charge,
      object: 'charge',
      amount: intent.amount,
      amount_captured: intent.amount_received,
      amount_refunded: refunded,
      captured: true,
      currency: intent.currency,
      payment_intent: intent.id,
      refunded: refunded === intent.amount_received,
      status: 'succeeded',
      livemode: false,
    });
  }

  /**
   * A refund made in Stripe's dashboard: no metadata of ours, and (as card refunds mostly are)
   * succeeded at once, so refund.created is all there is; no refund.updated follows.
   */
  refundInDashboard(sessionId: string, amount: number): SimRefund {
    const intent = this.intents.get(this.sessions.get(sessionId)!.payment_intent!)!;
    const refund: SimRefund = {
      id: `re_${randomBytes(12).toString('hex')}`,
      object: 'refund',
      amount,
      currency: intent.currency,
      payment_intent: intent.id,
      status: 'succeeded',
      reason: null,
      metadata: {},
    };
    this.refunds.set(refund.id, refund);
    this.refundCreated(intent, refund);
    return refund;
  }

  /** Held refunds are done now; the refund.updated event is sent unless `notify` is false. */
  settlePendingRefunds(options: { notify: boolean }): number {
    const open = [...this.refunds.values()].filter((r) => r.status === 'pending');
    for (const refund of open) {
      refund.status = 'succeeded';
      if (options.notify) this.emitLater('refund.updated', refund);
    }
    return open.length;
  }

  /** A delayed payment (outcome `processing`) settles: async_payment_succeeded. */
  async settleDelayed(sessionId: string): Promise<void> {
    const session = this.sessions.get(sessionId)!;
    const intent = this.intents.get(session.payment_intent!)!;
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    session.payment_status = 'paid';
    await this.emit('checkout.session.async_payment_succeeded', this.sessionView(session, false));
  }

  /**
   * The cardholder disputes the payment (docs.stripe.com/disputes/how-disputes-work). A formal
   * dispute takes the money back: `charge.dispute.created` (status `needs_response`) and
   * `charge.dispute.funds_withdrawn`. An inquiry (Amex, Discover) or retrieval request moves no
   * money: only `charge.dispute.created` with status `warning_needs_response`. Nor does a
   * prevented dispute (Dispute Preventions, API 2025-08-27.basil: status `prevented`, card
   * case_type `block` or `resolution`), stopped before it became a formal chargeback: only
   * `charge.dispute.created` with status `prevented` and no balance transaction.
   */
  async dispute(
    sessionId: string,
    kind: 'formal' | 'inquiry' | 'prevented' = 'formal',
  ): Promise<void> {
    const intent = this.intents.get(this.sessions.get(sessionId)!.payment_intent!)!;
    const status = {
      formal: 'needs_response',
      inquiry: 'warning_needs_response',
      prevented: 'prevented',
    };
    const caseType = { formal: 'chargeback', inquiry: 'inquiry', prevented: 'block' };
    const dispute = {
      id: `dp_${randomBytes(12).toString('hex')}`,
      object: 'dispute',
      amount: intent.amount_received,
      currency: intent.currency,
      payment_intent: intent.id,
      charge: intent.latest_charge,
      reason: kind === 'inquiry' ? 'general' : 'fraudulent',
      status: status[kind],
      is_charge_refundable: kind !== 'formal',
      balance_transactions: [] as unknown[],
      payment_method_details: {
        type: 'card',
        card: { brand: 'visa', network: 'visa', case_type: caseType[kind] },
      },
      livemode: false,
    };
    this.disputes.set(intent.id, dispute);
    await this.emit('charge.dispute.created', dispute);
    if (kind !== 'formal') return;
    dispute.is_charge_refundable = false;
    dispute.balance_transactions = [
      {
        id: `txn_${randomBytes(12).toString('hex')}`,
        object: 'balance_transaction',
        amount: -intent.amount_received,
        currency: intent.currency,
        type: 'adjustment',
        reporting_category: 'dispute',
      },
    ];
    await this.emit('charge.dispute.funds_withdrawn', dispute);
  }

  /**
   * The card issuer decides the formal dispute (docs.stripe.com/disputes/how-disputes-work):
   * `charge.dispute.closed` with status `won` or `lost`; a won dispute returns the money to the
   * merchant, so `charge.dispute.funds_reinstated` follows (a second balance transaction).
   */
  async closeDispute(sessionId: string, outcome: 'won' | 'lost'): Promise<void> {
    const dispute = this.disputes.get(this.sessions.get(sessionId)!.payment_intent!);
    if (!dispute || dispute.status !== 'needs_response')
      throw new Error(`no open formal dispute for ${sessionId}`);
    dispute.status = outcome;
    if (outcome === 'won')
      dispute.balance_transactions.push({
        id: `txn_${randomBytes(12).toString('hex')}`,
        object: 'balance_transaction',
        amount: dispute.amount,
        currency: dispute.currency,
        type: 'adjustment',
        reporting_category: 'dispute_reversal',
      });
    await this.emit('charge.dispute.closed', dispute);
    if (outcome === 'won') await this.emit('charge.dispute.funds_reinstated', dispute);
  }

  /**
   * The hosted page. `paid` pays (or authorizes, for capture_method=manual), `failed` is a
   * delayed payment method that fails after completion, `expired` lets the session run out,
   * `canceled` is the customer clicking back: Stripe changes nothing and redirects to cancel_url.
   */
  private async checkout(request: SimRequest, id: string): Promise<SimResponse> {
    const session = this.sessions.get(id);
    if (!session) return { status: 404, body: 'unknown session' };
    if (request.method === 'GET')
      return checkoutPage(`Stripe Checkout ${id}`, [
        'paid',
        'processing',
        'failed',
        'canceled',
        'expired',
      ]);
    if (session.status !== 'open') return { status: 409, body: `session is ${session.status}` };
    const fields = formFields(request.body);
    const outcome = fields.outcome;
    if (outcome === 'canceled') return redirect(session.cancel_url ?? session.success_url);
    if (outcome === 'expired') {
      this.expire(session);
      await this.emit('checkout.session.expired', this.sessionView(session, false));
      return { status: 200, body: 'This checkout session has expired' };
    }
    if (!['paid', 'failed', 'processing'].includes(outcome))
      return { status: 400, body: 'unknown outcome' };
    // The customer picks one of the types Checkout offers.
    const offered = session.payment_method_types;
    const type = fields.method ?? offered[0];
    if (!offered.includes(type)) return { status: 400, body: 'method not offered' };
    const paymentMethod: SimPaymentMethod = {
      id: `pm_${randomBytes(12).toString('hex')}`,
      object: 'payment_method',
      type,
      livemode: false,
    };
    this.paymentMethods.set(paymentMethod.id, paymentMethod);
    const intent: SimIntent = {
      id: `pi_${randomBytes(12).toString('hex')}`,
      object: 'payment_intent',
      amount: session.amount_total,
      amount_capturable: 0,
      amount_received: 0,
      currency: session.currency,
      status: 'processing',
      capture_method: session.captureMethod,
      metadata: session.intentMetadata,
      last_payment_error: null,
      payment_method: paymentMethod.id,
      payment_method_types: session.allowed_payment_method_types ?? DASHBOARD_METHODS,
      latest_charge: `ch_${randomBytes(12).toString('hex')}`,
      livemode: false,
    };
    this.intents.set(intent.id, intent);
    session.payment_intent = intent.id;
    session.status = 'complete';
    session.url = null;
    if (outcome === 'processing') {
      // A delayed payment method (SEPA debit, bank transfer): complete but not yet paid.
      await this.emit('checkout.session.completed', this.sessionView(session, false));
    } else if (outcome === 'failed') {
      await this.emit('checkout.session.completed', this.sessionView(session, false));
      intent.status = 'requires_payment_method';
      intent.last_payment_error = {
        code: 'payment_method_provider_decline',
        message: 'The payment was declined by the bank.',
        type: 'card_error',
      };
      await this.emit('checkout.session.async_payment_failed', this.sessionView(session, false));
    } else if (session.captureMethod === 'manual') {
      intent.status = 'requires_capture';
      intent.amount_capturable = intent.amount;
      await this.emit('checkout.session.completed', this.sessionView(session, false));
    } else {
      intent.status = 'succeeded';
      intent.amount_received = intent.amount;
      session.payment_status = 'paid';
      await this.emit('checkout.session.completed', this.sessionView(session, false));
    }
    return redirect(session.success_url);
  }

  /** The last delivery of an event of this type (with the endpoint's answer). */
  lastWebhookOf(type: string): (typeof this.webhooks)[number] | undefined {
    return [...this.webhooks].reverse().find((w) => JSON.parse(w.body).type === type);
  }

  /** Events caused by an API call reach the endpoint after the call has been answered, as at Stripe. */
  private emitLater(type: string, object: unknown): void {
    const snapshot = JSON.parse(JSON.stringify(object));
    this.later(() => this.emit(type, snapshot));
  }

  private async emit(type: string, object: unknown): Promise<void> {
    const event = {
      id: `evt_${randomBytes(12).toString('hex')}`,
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
      data: { object },
    };
    this.events.push({ id: event.id, type });
    if (!this.endpoint || (this.endpoint.events && !this.endpoint.events.includes(type))) return;
    const payload = JSON.stringify(event);
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: this.endpoint.secret,
    });
    await this.sendWebhook(
      this.endpoint.url,
      {
        'content-type': 'application/json; charset=utf-8',
        'stripe-signature': signature,
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      },
      payload,
    );
  }
}
