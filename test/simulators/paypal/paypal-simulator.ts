import 'reflect-metadata';
import { breakdownIssue } from './paypal-breakdown';
import {
  createSign,
  createVerify,
  KeyObject,
  randomBytes,
  randomUUID,
  webcrypto,
} from 'node:crypto';
import * as x509 from '@peculiar/x509';
import {
  checkoutPage,
  formFields,
  json,
  PspSimulator,
  redirect,
  SimRequest,
  SimResponse,
  text,
} from '../psp-simulator';
import { SpecValidator } from '../spec-validator';

export interface PayPalSimAccount {
  clientId: string;
  clientSecret: string;
  webhookId: string;
}

interface Order {
  id: string;
  status: string;
  createTime: string;
  /** When PayPal forgets the order unless it is completed (see orderLifetimeMs). */
  expiresAtMs: number;
  /** Orders v2 activity_timestamps: changes with the status (approval, completion, void). */
  updateTime: string;
  intent: 'CAPTURE' | 'AUTHORIZE';
  request: any;
  declineNext: boolean;
  /**
   * The last capture (or authorize) was declined (INSTRUMENT_DECLINED): the order stays
   * APPROVED and the buyer may come back to choose another funding source
   * (developer.paypal.com/docs/checkout/standard/customize/handle-funding-failures/).
   */
  fundingDeclined?: boolean;
  /** How the buyer paid, once approved. */
  paymentSource?: 'paypal' | 'card';
  authorizations: any[];
  captures: any[];
  refunds: any[];
}

export type PayPalOutcome = 'paid' | 'authorized' | 'failed' | 'canceled' | 'expired';

/**
 * What a PayPal-Request-Id is remembered with: PayPal "returns the latest status of the previous
 * request that used that same header" (developer.paypal.com/reference/guidelines/idempotency),
 * refusals included; only no answer (5xx), a rate limit and a request still in progress (409)
 * may be sent again to be carried out.
 */
function remembered(response: SimResponse): boolean {
  return response.status < 500 && response.status !== 409 && response.status !== 429;
}

/** PayPal's CRC32 (the one in the signed transmission string): IEEE, as an unsigned decimal. */
function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const WHOLE_UNITS = new Set(['JPY', 'HUF', 'TWD']);

/** Where PayPal's sandbox publishes the certificate its webhooks are signed with. */
export const PAYPAL_SANDBOX_CERT_ORIGIN = 'https://api.sandbox.paypal.com';

/**
 * A stateful stand-in for PayPal's OAuth2, Orders v2, Payments v2 and webhook verification
 * APIs. Requests are checked against PayPal's own OpenAPI documents; webhooks are signed as
 * PayPal signs them: SHA256withRSA over `transmissionId|time|webhookId|crc32(body)` with the
 * key of a certificate issued to messageverificationcerts.sandbox.paypal.com (self-made here),
 * PAYPAL-CERT-URL naming it on PayPal's sandbox host, and the certificate served at that path
 * (a server fetches it through the account's baseUrl, the simulator). verify-webhook-signature
 * answers too, as PayPal's does.
 */
export class PayPalSimulator extends PspSimulator {
  readonly orders = new Map<string, Order>();
  webhookUrl = '';
  /** Seconds a token lives. */
  tokenTtl = 32_400;
  /** Refunds are PENDING (no webhook) until settlePendingRefunds(), as e-check refunds are at PayPal. */
  holdRefunds = false;
  tokensIssued = 0;
  readonly delivered: { body: string; headers: Record<string, string>; status: number }[] = [];
  readonly rejected: { path: string; details: unknown }[] = [];
  /** Chargebacks (reverseCapture): refund objects that are not the merchant's refunds. */
  readonly reversals: any[] = [];
  private readonly tokens = new Map<string, number>();
  private readonly idempotent = new Map<string, SimResponse>();
  /** PayPal-Request-Ids (per path) whose first request is still being worked on, and that work. */
  private readonly working = new Map<string, () => void>();
  private slowNext?: { method?: string; path?: RegExp };
  /** Requests that PayPal carries out and then fails on (see failNextAfterWork). */
  private readonly failAfterWork: { method?: string; path?: RegExp }[] = [];
  /** Order reads answered from this snapshot (see freezeOrderReads). */
  private frozenOrders?: Map<string, unknown>;
  /**
   * The account setting "block duplicate invoice IDs" (checkout_orders_v2.json
   * DUPLICATE_INVOICE_ID: "your account setting requires that Invoice ID be unique for each
   * transaction"): a capture with an invoice_id already captured is refused.
   */
  uniqueInvoiceIds = true;
  /**
   * How long an order that is not completed lives: "The API caller has 3 hours (default
   * setting …) from the time the order is created, to redirect your payer. Once redirected, the
   * API caller has 3 hours for the payer to approve the order and either authorize or capture
   * the order" (checkout_orders_v2.json, order `links`). Past it PayPal no longer knows the order.
   */
  orderLifetimeMs = 3 * 3_600_000;

  /** The issues of the 422 answers given, in order. */
  readonly issuesAnswered: string[] = [];
  /** The PayPal-Request-Ids answered 409 PREVIOUS_REQUEST_IN_PROGRESS, in order. */
  readonly conflicts: string[] = [];
  private keys!: { privateKey: KeyObject; publicKey: KeyObject };
  /** The signing certificate (PEM) and its id in PAYPAL-CERT-URL. */
  certificate = '';
  readonly certId = `CERT-${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}`;
  /** Downloads of the signing certificate (not API calls: no token, no faults). */
  certDownloads = 0;
  private readonly specs = {
    orders: SpecValidator.load('paypal/checkout_orders_v2.json'),
    payments: SpecValidator.load('paypal/payments_payment_v2.json'),
    webhooks: SpecValidator.load('paypal/notifications_webhooks_v1.json'),
  };

  constructor(readonly account: PayPalSimAccount) {
    super();
  }

  get baseUrl(): string {
    return this.url;
  }

  /** PAYPAL-CERT-URL as PayPal's sandbox sends it. */
  get certUrl(): string {
    return `${PAYPAL_SANDBOX_CERT_ORIGIN}/v1/notifications/certs/${this.certId}`;
  }

  override async start(): Promise<this> {
    await this.makeCertificate();
    this.specs.orders?.warmUp(
      'components/schemas/order_request',
      'components/schemas/order_capture_request',
      'components/schemas/order_authorize_request',
    );
    this.specs.payments?.warmUp(
      'components/schemas/capture_request',
      'components/schemas/refund_request',
    );
    this.specs.webhooks?.warmUp('components/schemas/verify_webhook_signature');
    return super.start();
  }

  /** A refund made by the merchant in PayPal's own dashboard (the webhook follows). */
  dashboardRefund(orderId: string, value: string): void {
    const capture = this.orders.get(orderId)!.captures[0];
    const response = this.refundCapture(capture.id, {
      amount: { currency_code: capture.amount.currency_code, value },
    });
    if (response.status !== 201) throw new Error(`dashboard refund refused: ${response.body}`);
  }

  /**
   * A chargeback: PayPal takes back what is left of the capture and sends
   * PAYMENT.CAPTURE.REVERSED, whose resource is a refund object (resource_type `refund`) that
   * names only its capture, by its `up` link: no custom_id, no supplementary_data
   * (developer.paypal.com/api/rest/webhooks/event-names/, payments v2 `refund`).
   */
  reverseCapture(orderId: string): any {
    const capture = this.orders.get(orderId)!.captures[0];
    const left = this.minor(capture.amount) - capture.refunded;
    capture.refunded += left;
    const now = new Date().toISOString();
    const id = this.newId();
    const reversal = {
      id,
      amount: {
        currency_code: capture.amount.currency_code,
        value: this.decimal(left, capture.amount.currency_code),
      },
      note_to_payer: 'Payment reversed',
      status: 'COMPLETED',
      create_time: now,
      update_time: now,
      links: [
        { href: `${this.baseUrl}/v2/payments/refunds/${id}`, rel: 'self', method: 'GET' },
        { href: `${this.baseUrl}/v2/payments/captures/${capture.id}`, rel: 'up', method: 'GET' },
      ],
    };
    this.reversals.push(reversal);
    this.emitLater('PAYMENT.CAPTURE.REVERSED', 'refund', reversal);
    return reversal;
  }

  /** Makes every issued token invalid (as if PayPal revoked them). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  lastWebhook() {
    return this.delivered[this.delivered.length - 1];
  }

  /** The hosted page and the signing certificates are not the REST API (no faults there). */
  protected isApi(request: SimRequest): boolean {
    return request.path !== '/checkoutnow' && !request.path.startsWith('/v1/notifications/certs/');
  }

  protected async handle(request: SimRequest): Promise<SimResponse> {
    if (request.path === '/checkoutnow') return this.hostedPage(request);
    if (request.path.startsWith('/v1/notifications/certs/')) {
      if (request.method !== 'GET') return this.notFound();
      this.certDownloads += 1;
      return request.path === `/v1/notifications/certs/${this.certId}`
        ? text(200, this.certificate, 'application/x-pem-file')
        : this.notFound();
    }
    if (request.method === 'POST' && request.path === '/v1/oauth2/token')
      return this.issueToken(request);

    const bearer = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ''))?.[1];
    const expiry = bearer ? this.tokens.get(bearer) : undefined;
    if (!expiry || expiry < Date.now()) {
      return this.error(
        401,
        'AUTHENTICATION_FAILURE',
        'Authentication failed due to invalid authentication credentials or a missing Authorization header.',
      );
    }
    let body: any;
    if (request.method === 'POST' && request.body) {
      if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
        return this.error(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          'The server does not support the request payload’s media type.',
        );
      }
      try {
        body = JSON.parse(request.body);
      } catch {
        return this.error(
          400,
          'INVALID_REQUEST',
          'Request is not well-formed, syntactically incorrect, or violates schema.',
          [{ issue: 'MALFORMED_REQUEST_JSON' }],
        );
      }
    }
    const requestId = request.headers['paypal-request-id'] as string | undefined;
    const key = requestId ? `${request.path}\n${requestId}` : undefined;
    // payments_payment_v2.json (refund, void): 409 RESOURCE_CONFLICT /
    // PREVIOUS_REQUEST_IN_PROGRESS while an earlier request with this PayPal-Request-Id is
    // still being carried out.
    if (key && this.working.has(key)) {
      this.conflicts.push(requestId!);
      return this.error(
        409,
        'RESOURCE_CONFLICT',
        'The server has detected a conflict while processing this request.',
        [
          {
            issue: 'PREVIOUS_REQUEST_IN_PROGRESS',
            description:
              'A previous request on this resource is currently in progress. Please wait for sometime and try again. It is best to space out the initial and the subsequent request(s) to avoid receiving this error.',
          },
        ],
      );
    }
    if (key && this.idempotent.has(key)) {
      const first = this.idempotent.get(key)!;
      // orders.create: "200: A successful response to an idempotent request" (201 the first time).
      return request.path === '/v2/checkout/orders' && first.status === 201
        ? { ...first, status: 200 }
        : first;
    }
    const slow = this.slowNext;
    if (
      key &&
      slow &&
      (!slow.method || slow.method === request.method) &&
      (!slow.path || slow.path.test(request.path))
    ) {
      this.slowNext = undefined;
      // No answer until finishSlowWork(): by then the caller has given up waiting.
      return new Promise((resolve) =>
        this.working.set(key, () => {
          const response = this.route(request, body);
          if (remembered(response)) this.idempotent.set(key, response);
          resolve(response);
        }),
      );
    }
    const response = this.route(request, body);
    const failing = this.failAfterWork.findIndex(
      (match) =>
        (!match.method || match.method === request.method) &&
        (!match.path || match.path.test(request.path)),
    );
    if (failing >= 0) {
      this.failAfterWork.splice(failing, 1);
      // Done, but answered 500: like every 5xx, not kept for the PayPal-Request-Id.
      return this.error(500, 'INTERNAL_SERVER_ERROR', 'An internal server error has occurred.');
    }
    if (key && remembered(response)) this.idempotent.set(key, response);
    return response;
  }

  /**
   * The next matching call is carried out, then PayPal fails: 500 INTERNAL_SERVER_ERROR
   * (developer.paypal.com/api/rest/integration/orders-api/errors). A 5xx is not remembered for
   * its PayPal-Request-Id, so a repeat is carried out again (and meets what the first did).
   */
  failNextAfterWork(match: { method?: string; path?: RegExp } = {}): void {
    this.failAfterWork.push(match);
  }

  /**
   * Order reads (GET /v2/checkout/orders/{id}) show the orders as they are now until
   * thawOrderReads(): PayPal's order view may lag a write made through the payments API.
   */
  freezeOrderReads(): void {
    this.frozenOrders = new Map(
      [...this.orders.values()].map((o) => [o.id, JSON.parse(JSON.stringify(this.orderView(o)))]),
    );
  }

  thawOrderReads(): void {
    this.frozenOrders = undefined;
  }

  /** Time passes for one order: its lifetime (orderLifetimeMs) is over now. */
  expireOrder(id: string): void {
    this.orders.get(id)!.expiresAtMs = this.now();
  }

  private now(): number {
    return Date.now();
  }

  /**
   * The next matching call that carries a PayPal-Request-Id is taken in but not finished (nor
   * answered) until finishSlowWork(); a repeat with its PayPal-Request-Id meanwhile gets 409.
   */
  workSlowlyOnNext(match: { method?: string; path?: RegExp } = {}): void {
    this.slowNext = match;
  }

  /** The requests taken in by workSlowlyOnNext() are carried out now; returns how many. */
  finishSlowWork(): number {
    const work = [...this.working.values()];
    this.working.clear();
    for (const run of work) run();
    return work.length;
  }

  private route(request: SimRequest, body: any): SimResponse {
    const { method, path } = request;
    if (method === 'POST' && path === '/v2/checkout/orders') return this.createOrder(body);
    let m = /^\/v2\/checkout\/orders\/([^/]+)$/.exec(path);
    if (m && method === 'GET') {
      const id = m[1];
      return this.withOrder(id, (order) =>
        json(200, this.frozenOrders?.get(id) ?? this.orderView(order)),
      );
    }
    m = /^\/v2\/checkout\/orders\/([^/]+)\/(capture|authorize)$/.exec(path);
    if (m && method === 'POST') return this.completeOrder(m[1], m[2], body);
    m = /^\/v2\/payments\/authorizations\/([^/]+)\/(capture|void)$/.exec(path);
    if (m && method === 'POST')
      return m[2] === 'capture'
        ? this.captureAuthorization(m[1], body)
        : this.voidAuthorization(m[1], request);
    m = /^\/v2\/payments\/captures\/([^/]+)$/.exec(path);
    if (m && method === 'GET') {
      const found = this.findCapture(m[1]);
      return found ? json(200, this.publicCapture(found.capture)) : this.notFound();
    }
    m = /^\/v2\/payments\/captures\/([^/]+)\/refund$/.exec(path);
    if (m && method === 'POST') return this.refundCapture(m[1], body);
    m = /^\/v2\/payments\/refunds\/([^/]+)$/.exec(path);
    if (m && method === 'GET') {
      const refund = [...this.orders.values(), { refunds: this.reversals }]
        .flatMap((o) => o.refunds)
        .find((r) => r.id === m![1]);
      return refund ? json(200, refund) : this.notFound();
    }
    if (method === 'POST' && path === '/v1/notifications/verify-webhook-signature')
      return this.verifySignature(body);
    return this.notFound();
  }

  private issueToken(request: SimRequest): SimResponse {
    const expected = `Basic ${Buffer.from(`${this.account.clientId}:${this.account.clientSecret}`).toString('base64')}`;
    if (request.headers.authorization !== expected) {
      return json(401, {
        error: 'invalid_client',
        error_description: 'Client Authentication failed',
      });
    }
    if (
      !String(request.headers['content-type'] ?? '').startsWith(
        'application/x-www-form-urlencoded',
      ) ||
      formFields(request.body).grant_type !== 'client_credentials'
    ) {
      return json(400, {
        error: 'unsupported_grant_type',
        error_description: 'Grant Type is NULL',
      });
    }
    const token = `A21AA${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, Date.now() + this.tokenTtl * 1000);
    this.tokensIssued += 1;
    return json(200, {
      scope: 'https://uri.paypal.com/services/payments/payment',
      access_token: token,
      token_type: 'Bearer',
      app_id: 'APP-80W284485P519543T',
      expires_in: this.tokenTtl,
      nonce: randomUUID(),
    });
  }

  private createOrder(body: any): SimResponse {
    const invalid = this.invalid('orders', 'order_request', body, '/v2/checkout/orders');
    if (invalid) return invalid;
    const unit = body.purchase_units[0];
    const precision = this.precision(
      unit.amount,
      "/purchase_units/@reference_id=='default'/amount/value",
    );
    if (precision) return precision;
    const issue = breakdownIssue(unit);
    if (issue)
      return this.error(
        422,
        'UNPROCESSABLE_ENTITY',
        'The requested action could not be performed, semantically incorrect, or failed business validation.',
        [issue],
      );
    const context = body.payment_source?.paypal?.experience_context;
    if (!context?.return_url) {
      return this.error(
        422,
        'UNPROCESSABLE_ENTITY',
        'The requested action could not be performed.',
        [
          {
            issue: 'MISSING_RETURN_URL',
            field: '/payment_source/paypal/experience_context/return_url',
          },
        ],
      );
    }
    const id = randomBytes(9).toString('hex').toUpperCase().slice(0, 17);
    const now = new Date().toISOString();
    const order: Order = {
      id,
      createTime: now,
      expiresAtMs: this.now() + this.orderLifetimeMs,
      updateTime: now,
      status: 'PAYER_ACTION_REQUIRED',
      intent: body.intent,
      request: body,
      declineNext: false,
      authorizations: [],
      captures: [],
      refunds: [],
    };
    this.orders.set(id, order);
    // "201: A successful request returns the HTTP 201 Created status code" (orders.create).
    return json(201, this.orderView(order));
  }

  private completeOrder(id: string, action: string, body: any): SimResponse {
    const invalid = this.invalid(
      'orders',
      action === 'capture' ? 'order_capture_request' : 'order_authorize_request',
      body ?? {},
      `/v2/checkout/orders/${id}/${action}`,
    );
    if (invalid) return invalid;
    return this.withOrder(id, (order) => {
      if ((action === 'capture') !== (order.intent === 'CAPTURE')) {
        return this.unprocessable(
          action === 'capture' ? 'ACTION_DOES_NOT_MATCH_INTENT' : 'ACTION_DOES_NOT_MATCH_INTENT',
        );
      }
      if (order.status === 'COMPLETED')
        return this.unprocessable(
          action === 'capture' ? 'ORDER_ALREADY_CAPTURED' : 'ORDER_ALREADY_AUTHORIZED',
        );
      if (order.status !== 'APPROVED') return this.unprocessable('ORDER_NOT_APPROVED');
      if (order.declineNext) {
        order.fundingDeclined = true;
        // orders.capture-422 (checkout_orders_v2.json); the order itself is unchanged.
        return this.unprocessable(
          'INSTRUMENT_DECLINED',
          "The instrument presented  was either declined by the processor or bank, or it can't be used for this payment.",
        );
      }
      const unit = order.request.purchase_units[0];
      const related = { related_ids: { order_id: order.id } };
      if (action === 'capture') {
        const capture = {
          id: this.newId(),
          status: 'COMPLETED',
          amount: unit.amount,
          final_capture: true,
          custom_id: unit.custom_id,
          supplementary_data: related,
          refunded: 0,
        };
        order.captures.push(capture);
        this.emitLater('PAYMENT.CAPTURE.COMPLETED', 'capture', this.publicCapture(capture));
      } else {
        const authorization = {
          id: this.newId(),
          status: 'CREATED',
          amount: unit.amount,
          custom_id: unit.custom_id,
          supplementary_data: related,
          expiration_time: new Date(Date.now() + 29 * 86_400_000).toISOString(),
        };
        order.authorizations.push(authorization);
        this.emitLater('PAYMENT.AUTHORIZATION.CREATED', 'authorization', authorization);
      }
      order.status = 'COMPLETED';
      this.touch(order);
      return json(201, this.orderView(order));
    });
  }

  private captureAuthorization(authorizationId: string, body: any): SimResponse {
    const invalid = this.invalid(
      'payments',
      'capture_request',
      body ?? {},
      `/v2/payments/authorizations/${authorizationId}/capture`,
    );
    if (invalid) return invalid;
    const order = [...this.orders.values()].find((o) =>
      o.authorizations.some((a) => a.id === authorizationId),
    );
    if (!order) return this.notFound();
    const authorization = order.authorizations.find((a) => a.id === authorizationId)!;
    if (
      this.uniqueInvoiceIds &&
      body?.invoice_id &&
      [...this.orders.values()].some((o) =>
        o.captures.some((c) => c.invoice_id === body.invoice_id),
      )
    )
      return this.unprocessable(
        'DUPLICATE_INVOICE_ID',
        'Requested invoice_id has been previously captured. Possible duplicate transaction.',
      );
    if (authorization.status !== 'CREATED')
      return this.unprocessable(
        authorization.status === 'VOIDED'
          ? 'AUTHORIZATION_VOIDED'
          : 'AUTHORIZATION_ALREADY_CAPTURED',
      );
    const amount = body?.amount ?? authorization.amount;
    const precision = this.precision(amount, '/amount/value');
    if (precision) return precision;
    if (amount.currency_code !== authorization.amount.currency_code)
      return this.unprocessable('CURRENCY_MISMATCH');
    if (this.minor(amount) > this.minor(authorization.amount))
      return this.unprocessable('MAX_CAPTURE_AMOUNT_EXCEEDED');
    const capture = {
      id: this.newId(),
      status: 'COMPLETED',
      amount,
      final_capture: body?.final_capture ?? false,
      custom_id: authorization.custom_id,
      invoice_id: body?.invoice_id,
      supplementary_data: {
        related_ids: { order_id: order.id, authorization_id: authorizationId },
      },
      refunded: 0,
    };
    order.captures.push(capture);
    authorization.status =
      this.minor(amount) < this.minor(authorization.amount) ? 'PARTIALLY_CAPTURED' : 'CAPTURED';
    this.emitLater('PAYMENT.CAPTURE.COMPLETED', 'capture', this.publicCapture(capture));
    return json(201, this.publicCapture(capture));
  }

  private voidAuthorization(authorizationId: string, request: SimRequest): SimResponse {
    const order = [...this.orders.values()].find((o) =>
      o.authorizations.some((a) => a.id === authorizationId),
    );
    if (!order) return this.notFound();
    const authorization = order.authorizations.find((a) => a.id === authorizationId)!;
    // authorizations.void-422: PREVIOUSLY_VOIDED "Authorization has been previously voided and
    // hence cannot be voided again", PREVIOUSLY_CAPTURED "Authorization has been previously
    // captured and hence cannot be voided".
    if (authorization.status === 'VOIDED') return this.unprocessable('PREVIOUSLY_VOIDED');
    if (authorization.status !== 'CREATED') return this.unprocessable('PREVIOUSLY_CAPTURED');
    authorization.status = 'VOIDED';
    order.status = 'VOIDED';
    this.touch(order);
    this.emitLater('PAYMENT.AUTHORIZATION.VOIDED', 'authorization', authorization);
    return String(request.headers.prefer ?? '').includes('return=representation')
      ? json(200, authorization)
      : { status: 204, headers: { 'content-type': 'application/json' } };
  }

  private refundCapture(captureId: string, body: any): SimResponse {
    const invalid = this.invalid(
      'payments',
      'refund_request',
      body ?? {},
      `/v2/payments/captures/${captureId}/refund`,
    );
    if (invalid) return invalid;
    const found = this.findCapture(captureId);
    if (!found) return this.notFound();
    const { order, capture } = found;
    const amount = body?.amount ?? capture.amount;
    const precision = this.precision(amount, '/amount/value');
    if (precision) return precision;
    const left = this.minor(capture.amount) - capture.refunded;
    if (this.minor(amount) > left) return this.unprocessable('REFUND_AMOUNT_EXCEEDED');
    capture.refunded += this.minor(amount);
    capture.status =
      capture.refunded >= this.minor(capture.amount) ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
    const id = this.newId();
    const refund = {
      id,
      status: this.holdRefunds ? 'PENDING' : 'COMPLETED',
      amount,
      custom_id: body?.custom_id,
      invoice_id: body?.invoice_id,
      note_to_payer: body?.note_to_payer,
      links: [
        { href: `${this.baseUrl}/v2/payments/refunds/${id}`, rel: 'self', method: 'GET' },
        { href: `${this.baseUrl}/v2/payments/captures/${capture.id}`, rel: 'up', method: 'GET' },
      ],
    };
    order.refunds.push(refund);
    if (!this.holdRefunds) this.emitLater('PAYMENT.CAPTURE.REFUNDED', 'refund', refund);
    return json(201, refund);
  }

  /** Held refunds complete now; PAYMENT.CAPTURE.REFUNDED is sent unless `notify` is false. */
  settlePendingRefunds(options: { notify: boolean }): number {
    const open = [...this.orders.values()]
      .flatMap((o) => o.refunds)
      .filter((r) => r.status === 'PENDING');
    for (const refund of open) {
      refund.status = 'COMPLETED';
      if (options.notify) this.emitLater('PAYMENT.CAPTURE.REFUNDED', 'refund', refund);
    }
    return open.length;
  }

  private verifySignature(body: any): SimResponse {
    const invalid = this.invalid(
      'webhooks',
      'verify_webhook_signature',
      body,
      '/v1/notifications/verify-webhook-signature',
    );
    if (invalid) return invalid;
    const signed = `${body.transmission_id}|${body.transmission_time}|${body.webhook_id}|${crc32(JSON.stringify(body.webhook_event))}`;
    let ok = body.webhook_id === this.account.webhookId && body.auth_algo === 'SHA256withRSA';
    try {
      ok =
        ok &&
        createVerify('sha256')
          .update(signed)
          .verify(this.keys.publicKey, body.transmission_sig, 'base64');
    } catch {
      ok = false;
    }
    return json(200, { verification_status: ok ? 'SUCCESS' : 'FAILURE' });
  }

  private async hostedPage(request: SimRequest): Promise<SimResponse> {
    const order = this.liveOrder(request.query.get('token') ?? '');
    if (!order) return text(404, 'This order is no longer available');
    if (request.method === 'GET')
      return checkoutPage('PayPal', ['paid', 'authorized', 'failed', 'canceled', 'expired']);
    const context = order.request.payment_source.paypal.experience_context;
    const fields = formFields(request.body);
    const outcome = fields.outcome as PayPalOutcome;
    const again = order.status === 'APPROVED' && order.fundingDeclined;
    if (order.status !== 'PAYER_ACTION_REQUIRED' && !again)
      return text(409, `order is ${order.status}`);
    if (outcome === 'canceled') {
      // The buyer went back to the shop; PayPal sends nothing.
      return this.redirectTo(context.cancel_url, { token: order.id });
    }
    if (outcome === 'expired') {
      // The buyer stays on the page until the order's lifetime has passed.
      order.expiresAtMs = this.now();
      return text(410, 'expired');
    }
    if (!['paid', 'authorized', 'failed'].includes(outcome)) return text(400, 'unknown outcome');
    order.status = 'APPROVED';
    this.touch(order);
    // How the buyer chose to pay on PayPal's page: the wallet, or a card as a guest.
    order.paymentSource = fields.method === 'card' ? 'card' : 'paypal';
    order.declineNext = outcome === 'failed';
    order.fundingDeclined = false;
    await this.emit('CHECKOUT.ORDER.APPROVED', 'checkout-order', this.orderView(order));
    return this.redirectTo(context.return_url, { token: order.id, PayerID: 'QYR5Z8XDVJNXQ' });
  }

  private emitLater(eventType: string, resourceType: string, resource: unknown): void {
    this.later(() => this.emit(eventType, resourceType, resource));
  }

  /** Sends a webhook event signed the way PayPal signs it. */
  async emit(eventType: string, resourceType: string, resource: unknown): Promise<void> {
    if (this.dropWebhooks || !this.webhookUrl) return;
    const event = {
      id: `WH-${randomBytes(10).toString('hex').toUpperCase()}`,
      event_version: '1.0',
      create_time: new Date().toISOString(),
      resource_type: resourceType,
      resource_version: '2.0',
      event_type: eventType,
      summary: eventType,
      resource,
      links: [],
    };
    await this.deliver(JSON.stringify(event));
  }

  /** Signs and posts a body (also used to replay one); returns the HTTP status. */
  async deliver(body: string, headers?: Record<string, string>): Promise<number> {
    const time = new Date().toISOString();
    let transmissionId: string;
    let signature: string;
    do {
      // PayPal's schema wants the signature to start with a word character.
      transmissionId = randomUUID();
      const signed = `${transmissionId}|${time}|${this.account.webhookId}|${crc32(body)}`;
      signature = createSign('sha256').update(signed).sign(this.keys.privateKey, 'base64');
    } while (!/^\w/.test(signature));
    const sent = headers ?? {
      'content-type': 'application/json',
      'paypal-transmission-id': transmissionId,
      'paypal-transmission-time': time,
      'paypal-transmission-sig': signature,
      'paypal-cert-url': this.certUrl,
      'paypal-auth-algo': 'SHA256withRSA',
    };
    const response = await fetch(this.webhookUrl, { method: 'POST', headers: sent, body });
    await response.text();
    this.delivered.push({ body, headers: sent, status: response.status });
    return response.status;
  }

  /** A self-signed stand-in for PayPal's sandbox signing certificate (SHA256withRSA, 2048 bits). */
  private async makeCertificate(): Promise<void> {
    x509.cryptoProvider.set(webcrypto as unknown as Crypto);
    const algorithm = {
      name: 'RSASSA-PKCS1-v1_5',
      hash: 'SHA-256',
      publicExponent: new Uint8Array([1, 0, 1]),
      modulusLength: 2048,
    };
    const keys = (await webcrypto.subtle.generateKey(algorithm, true, [
      'sign',
      'verify',
    ])) as webcrypto.CryptoKeyPair;
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomBytes(8).toString('hex'),
      name: 'C=US, ST=California, L=San Jose, O=PayPal, OU=PayPal Production, CN=messageverificationcerts.sandbox.paypal.com',
      notBefore: new Date(Date.now() - 86_400_000),
      notAfter: new Date(Date.now() + 365 * 86_400_000),
      signingAlgorithm: algorithm,
      keys: keys as unknown as Parameters<
        typeof x509.X509CertificateGenerator.createSelfSigned
      >[0]['keys'],
    });
    this.certificate = certificate.toString('pem');
    this.keys = {
      privateKey: KeyObject.from(keys.privateKey),
      publicKey: KeyObject.from(keys.publicKey),
    };
  }

  private orderView(order: Order) {
    const unit = order.request.purchase_units[0];
    const payments =
      order.captures.length + order.authorizations.length > 0
        ? {
            payments: {
              ...(order.authorizations.length ? { authorizations: order.authorizations } : {}),
              ...(order.captures.length
                ? { captures: order.captures.map((c) => this.publicCapture(c)) }
                : {}),
              ...(order.refunds.length ? { refunds: order.refunds } : {}),
            },
          }
        : {};
    return {
      id: order.id,
      intent: order.intent,
      status: order.status,
      create_time: order.createTime,
      update_time: order.updateTime,
      payment_source:
        order.paymentSource === 'card'
          ? { card: { name: 'Jane Doe', last_digits: '1111', brand: 'VISA', type: 'CREDIT' } }
          : {
              paypal: {
                ...(order.paymentSource
                  ? {
                      email_address: 'buyer@example.com',
                      account_id: 'QYR5Z8XDVJNXQ',
                      account_status: 'VERIFIED',
                    }
                  : {}),
              },
            },
      purchase_units: [
        {
          reference_id: unit.reference_id ?? 'default',
          amount: unit.amount,
          custom_id: unit.custom_id,
          description: unit.description,
          ...payments,
        },
      ],
      links: [
        { href: `${this.baseUrl}/v2/checkout/orders/${order.id}`, rel: 'self', method: 'GET' },
        ...(order.status === 'PAYER_ACTION_REQUIRED' || order.fundingDeclined
          ? [
              {
                href: `${this.baseUrl}/checkoutnow?token=${order.id}`,
                rel: 'payer-action',
                method: 'GET',
              },
            ]
          : []),
      ],
    };
  }

  /** A new update_time, always later than the last (two changes within a millisecond). */
  private touch(order: Order): void {
    const last = Date.parse(order.updateTime);
    order.updateTime = new Date(Math.max(Date.now(), last + 1)).toISOString();
  }

  private publicCapture(capture: any) {
    const rest = { ...capture };
    delete rest.refunded;
    return rest;
  }

  private findCapture(id: string): { order: Order; capture: any } | undefined {
    for (const order of this.orders.values()) {
      const capture = order.captures.find((c) => c.id === id);
      if (capture) return { order, capture };
    }
    return undefined;
  }

  /** An order past its lifetime that was not completed is gone: 404 INVALID_RESOURCE_ID. */
  private withOrder(id: string, fn: (order: Order) => SimResponse): SimResponse {
    const order = this.liveOrder(id);
    return order ? fn(order) : this.notFound();
  }

  private liveOrder(id: string): Order | undefined {
    const order = this.orders.get(id);
    if (!order) return undefined;
    return order.status === 'COMPLETED' ||
      order.status === 'VOIDED' ||
      this.now() < order.expiresAtMs
      ? order
      : undefined;
  }

  /** PayPal refuses more (or fewer) decimals than the currency has. */
  private precision(
    amount: { currency_code: string; value: string },
    field: string,
  ): SimResponse | undefined {
    const decimals = amount.value.split('.')[1]?.length ?? 0;
    const expected = WHOLE_UNITS.has(amount.currency_code) ? 0 : 2;
    if (decimals > expected || (expected === 0 && amount.value.includes('.'))) {
      return this.error(
        422,
        'UNPROCESSABLE_ENTITY',
        'The requested action could not be performed, semantically incorrect, or failed business validation.',
        [
          {
            field,
            value: amount.value,
            issue: expected === 0 ? 'DECIMALS_NOT_SUPPORTED' : 'DECIMAL_PRECISION',
            description: `${amount.currency_code} takes ${expected} decimals`,
          },
        ],
      );
    }
    return undefined;
  }

  private decimal(minor: number, currency: string): string {
    if (WHOLE_UNITS.has(currency)) return String(minor);
    return `${Math.trunc(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
  }

  private minor(amount: { currency_code: string; value: string }): number {
    const [whole, fraction = ''] = amount.value.split('.');
    const places = WHOLE_UNITS.has(amount.currency_code) ? 0 : 2;
    return Number(whole + fraction.padEnd(places, '0'));
  }

  private invalid(
    spec: keyof PayPalSimulator['specs'],
    schema: string,
    body: unknown,
    path: string,
  ): SimResponse | undefined {
    if (body === undefined || body === null || typeof body !== 'object') {
      return this.error(
        400,
        'INVALID_REQUEST',
        'Request is not well-formed, syntactically incorrect, or violates schema.',
        [{ issue: 'MISSING_REQUEST_BODY' }],
      );
    }
    const errors = this.specs[spec]?.validate(`components/schemas/${schema}`, body) ?? [];
    if (errors.length === 0) return undefined;
    const details = errors.map((e) => ({
      field: `/${e.field.replace(/\./g, '/')}`,
      issue: /required/.test(e.message) ? 'MISSING_REQUIRED_PARAMETER' : 'INVALID_PARAMETER_SYNTAX',
      description: e.message,
    }));
    this.rejected.push({ path, details });
    return this.error(
      400,
      'INVALID_REQUEST',
      'Request is not well-formed, syntactically incorrect, or violates schema.',
      details,
    );
  }

  private unprocessable(issue: string, description?: string): SimResponse {
    this.issuesAnswered.push(issue);
    return this.error(
      422,
      'UNPROCESSABLE_ENTITY',
      'The requested action could not be performed, semantically incorrect, or failed business validation.',
      [{ issue, description: description ?? issue }],
    );
  }

  private notFound(): SimResponse {
    return this.error(404, 'RESOURCE_NOT_FOUND', 'The specified resource does not exist.', [
      {
        issue: 'INVALID_RESOURCE_ID',
        description:
          'Specified resource ID does not exist. Please check the resource ID and try again.',
      },
    ]);
  }

  private error(status: number, name: string, message: string, details?: unknown[]): SimResponse {
    return json(status, {
      name,
      message,
      debug_id: randomBytes(7).toString('hex'),
      ...(details ? { details } : {}),
      links: [],
    });
  }

  private redirectTo(url: string, params: Record<string, string>): SimResponse {
    const target = new URL(url);
    for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
    return redirect(target.toString());
  }

  private newId(): string {
    return randomBytes(9).toString('hex').toUpperCase().slice(0, 17);
  }
}
