import { linkRequestProblem } from './adyen-link-rules';
import { randomBytes } from 'node:crypto';
import HmacValidator from '@adyen/api-library/lib/src/utils/hmacValidator';
import {
  checkoutPage,
  formFields,
  IdempotencyStore,
  json,
  PspSimulator,
  redirect,
  SimRequest,
  SimResponse,
  text,
} from '../psp-simulator';
import { SpecValidator } from '../spec-validator';

/** Fresh credentials for one test account, in Adyen's formats (an `AQE_` API key, a hex HMAC key). */
export function adyenTestCredentials(): AdyenSimAccount {
  return {
    apiKey: `AQE_${randomBytes(12).toString('hex')}`,
    merchantAccount: 'PaymentServerECOM',
    hmacKey: randomBytes(32).toString('hex').toUpperCase(),
  };
}

export interface AdyenSimAccount {
  apiKey: string;
  merchantAccount: string;
  /** Hex, as the Customer Area shows it. */
  hmacKey: string;
}

interface Link {
  id: string;
  url: string;
  status: 'active' | 'completed' | 'expired' | 'paymentPending';
  request: Record<string, any>;
  pspReference: string | null;
  authorised: boolean;
  captured: number;
  refunded: number;
  canceled: boolean;
  /** The authorisation ran out uncaptured (EXPIRE): nothing more can be captured. */
  authorisationExpired?: boolean;
  /** How the authorisation is captured, fixed when it is authorised (see `captureOf`). */
  capture?: 'immediate' | 'delayed' | 'manual';
  /** What the shopper chose on the hosted page; sent as the notification's paymentMethod. */
  paymentMethod?: string;
  /** The pspReference of the payment's dispute, once there is one (see `dispute`). */
  disputeReference?: string;
}

interface Modification {
  pspReference: string;
  kind: 'captures' | 'cancels' | 'refunds';
  link: Link;
  /** Our `reference` of the request (payment id for captures and cancels, refund id for refunds). */
  reference: string;
  amount: { currency: string; value: number };
  success: boolean;
}

/** A POST held open by `holdNext`: `gate` opens on release, `finish` once it has been carried out. */
interface Hold {
  path: RegExp;
  gate: Promise<void>;
  finish(): void;
}

/** Card brands a shopper may pick on the hosted page: all of payment method type `scheme`. */
const CARD_BRANDS = new Set(['visa', 'mc', 'amex', 'maestro', 'cartebancaire', 'diners', 'jcb']);

/** A brand's payment method type (`visa` → `scheme`); a type stays as it is. */
function methodType(method: string): string {
  return CARD_BRANDS.has(method) ? 'scheme' : method;
}

/**
 * Types Adyen can capture separately from the authorisation (docs.adyen.com/payment-methods,
 * "Separate captures"); any other (iDEAL, Bancontact, EPS, giropay, Sofort, bank transfer) is
 * captured at once, whatever the link asked for.
 */
const SEPARATE_CAPTURE_TYPES = new Set([
  'scheme',
  'applepay',
  'googlepay',
  'paypal',
  'klarna',
  'klarna_account',
  'klarna_paynow',
]);

/** Klarna's payment method types (a link's `klarna`, and what the shopper may pay with). */
const KLARNA_TYPES = new Set(['klarna', 'klarna_account', 'klarna_paynow', 'klarna_b2b']);

/** `pending`: the shopper started an asynchronous method; the link is `paymentPending` until `finishPending`. */
export type AdyenOutcome = 'paid' | 'authorized' | 'failed' | 'canceled' | 'expired' | 'pending';

/** A merchant account's capture setting in the Customer Area (docs.adyen.com/online-payments/capture). */
export type AdyenCaptureDefault = 'immediate' | 'manual' | { delayHours: number };

/**
 * A stateful stand-in for Adyen's Checkout API v71 (payment links and modifications) that
 * checks every request against Adyen's own OpenAPI document and signs standard webhooks with
 * HMAC-SHA256 over the standard fields, exactly as Adyen does.
 */
export class AdyenSimulator extends PspSimulator {
  readonly links = new Map<string, Link>();
  /** Where webhooks go (the provider account's webhookUrl). */
  webhookUrl = '';
  /** Leave the link's metadata out of AUTHORISATION webhooks while true. */
  omitMetadata = false;
  /** The next refund is accepted (`received`) and then refused by webhook. */
  refuseNextRefund = false;
  /** The next capture is accepted (`received`) and then refused by webhook (CAPTURE success=false). */
  refuseNextCapture = false;
  /** The next cancel is accepted (`received`) and then refused by webhook (CANCELLATION success=false). */
  refuseNextCancel = false;
  /**
   * The merchant account's default capture (Customer Area setting): applies to an authorisation
   * whose link asked for neither `manualCapture: true` nor `captureDelayHours`.
   */
  captureDefault: AdyenCaptureDefault = 'immediate';
  /** Adyen answers a repeat of a request it is still carrying out with 409 or 422 (error 704). */
  inProgressStatus: 409 | 422 = 409;
  /** Keys of POSTs Adyen is still carrying out (see `holdNext`). */
  private readonly inProgress = new Set<string>();
  private readonly holds: Hold[] = [];
  /** The modifications Adyen accepted, by their pspReference, with the outcome it reported. */
  readonly modifications = new Map<string, Modification>();
  readonly delivered: { body: string; status: number; responseText: string }[] = [];
  /** Requests refused for not matching the spec (for assertions). */
  readonly rejected: { path: string; errors: unknown }[] = [];
  private readonly hmac = new HmacValidator();
  private readonly idempotency = new IdempotencyStore();
  private readonly spec = SpecValidator.load('adyen/CheckoutService-v71.json');

  constructor(readonly account: AdyenSimAccount) {
    super();
  }

  /** The root to configure as the provider account's baseUrl (the connector appends /v71). */
  get baseUrl(): string {
    return this.url;
  }

  override async start(): Promise<this> {
    this.spec?.warmUp(
      ...[
        'PaymentLinkRequest',
        'UpdatePaymentLinkRequest',
        'PaymentCaptureRequest',
        'PaymentCancelRequest',
        'PaymentRefundRequest',
      ].map((n) => `components/schemas/${n}`),
    );
    return super.start();
  }

  /** The last notification body signed (sent or, with dropWebhooks, dropped). */
  lastSigned?: string;

  /** The last signed notification body, to replay it. */
  lastWebhook(): string | undefined {
    return this.delivered[this.delivered.length - 1]?.body;
  }

  protected isApi(request: SimRequest): boolean {
    return !request.path.startsWith('/payByLink/');
  }

  protected async handle(request: SimRequest): Promise<SimResponse> {
    const hosted = /^\/payByLink\/([^/]+)$/.exec(request.path);
    if (hosted) return this.hostedPage(hosted[1], request);

    if (request.headers['x-api-key'] !== this.account.apiKey) {
      return this.error(401, '000', 'HTTP Status Response - Unauthorized', 'security');
    }
    const route = /^\/v71(\/.*)$/.exec(request.path);
    if (!route) return this.error(404, '000', 'HTTP Status Response - Not Found', 'internal');
    const path = route[1];
    let body: any;
    if (request.method === 'POST' || request.method === 'PATCH') {
      if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
        return this.error(
          415,
          '000',
          'HTTP Status Response - Unsupported Media Type',
          'validation',
        );
      }
      try {
        body = JSON.parse(request.body);
      } catch {
        return this.error(400, '702', 'Unexpected input: not JSON', 'validation');
      }
    }

    // Adyen honours Idempotency-Key on POST: a repeat is answered as the first, nothing is redone.
    const key = request.headers['idempotency-key'];
    if (request.method === 'POST' && typeof key === 'string') {
      if (key.length > 64)
        return this.error(422, '702', 'Idempotency-Key is longer than 64 characters', 'validation');
      const fingerprint = `${path} ${JSON.stringify(body)}`;
      const seen = this.idempotency.lookup(key, fingerprint);
      if (seen === 'conflict')
        return this.error(
          422,
          '000',
          'The idempotency key was already used for a different request',
          'validation',
        );
      if (seen) return seen;
      // A repeat while the first request with this key is still being carried out: 409 or 422,
      // error 704, marked transient (docs.adyen.com/development-resources/api-idempotency, Error
      // handling): retry later with the same key.
      if (this.inProgress.has(key))
        return {
          ...this.error(
            this.inProgressStatus,
            '704',
            'request already processed or in progress',
            'validation',
          ),
          headers: { 'content-type': 'application/json', 'transient-error': 'true' },
        };
      const hold = this.takeHold(path);
      if (hold) {
        this.inProgress.add(key);
        await hold.gate;
      }
      try {
        const response = this.route(request.method, path, body);
        if (response.status < 500) this.idempotency.remember(key, fingerprint, response);
        return response;
      } finally {
        this.inProgress.delete(key);
        hold?.finish();
      }
    }
    return this.route(request.method, path, body);
  }

  /**
   * The next POST with an Idempotency-Key to a path matching `path` is received but not carried
   * out (nor answered) until `release()`: Adyen is slow on it. Meanwhile a repeat with the same
   * key is answered 409/704. `release()` does the work, sends its webhook later as usual, answers
   * (if the caller still listens) and resolves once done.
   */
  holdNext(path: RegExp): { release(): Promise<void> } {
    let open!: () => void;
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const done = new Promise<void>((resolve) => (finish = resolve));
    this.holds.push({ path, gate, finish });
    return {
      release: async () => {
        open();
        await done;
      },
    };
  }

  private takeHold(path: string): Hold | undefined {
    const index = this.holds.findIndex((h) => h.path.test(`/v71${path}`));
    return index < 0 ? undefined : this.holds.splice(index, 1)[0];
  }

  private route(method: string, path: string, body: any): SimResponse {
    if (method === 'POST' && path === '/paymentLinks') return this.createLink(body);
    if (method === 'POST' && path === '/paymentMethods') return this.paymentMethods(body);
    const link = /^\/paymentLinks\/([^/]+)$/.exec(path);
    if (link && method === 'GET') return this.getLink(link[1]);
    if (link && method === 'PATCH') return this.updateLink(link[1], body);
    const modification = /^\/payments\/([^/]+)\/(captures|cancels|refunds)$/.exec(path);
    if (modification && method === 'POST')
      return this.modify(modification[1], modification[2], body);
    return this.error(404, '000', 'HTTP Status Response - Not Found', 'internal');
  }

  /** POST /paymentMethods: what the merchant account offers (test connection's cheap read). */
  private paymentMethods(body: any): SimResponse {
    const invalid = this.invalid('PaymentMethodsRequest', body, '/paymentMethods');
    if (invalid) return invalid;
    if (body.merchantAccount !== this.account.merchantAccount)
      return this.error(403, '901', 'Invalid Merchant Account', 'security');
    return json(200, {
      paymentMethods: [
        { name: 'Cards', type: 'scheme', brands: ['visa', 'mc'] },
        { name: 'iDEAL', type: 'ideal' },
      ],
    });
  }

  private createLink(body: any): SimResponse {
    const invalid = this.invalid('PaymentLinkRequest', body, '/paymentLinks');
    if (invalid) return invalid;
    if (body.merchantAccount !== this.account.merchantAccount)
      return this.error(403, '901', 'Invalid Merchant Account', 'security');
    if (body.amount.value <= 0)
      return this.error(422, '137', 'Invalid amount specified', 'validation');
    const problem = linkRequestProblem(body);
    if (problem) return this.error(422, problem.errorCode, problem.message, 'validation');
    const id = `PL${randomBytes(8).toString('hex').toUpperCase()}`;
    const entry: Link = {
      id,
      url: `${this.baseUrl}/payByLink/${id}`,
      status: 'active',
      request: body,
      pspReference: null,
      authorised: false,
      captured: 0,
      refunded: 0,
      canceled: false,
    };
    this.links.set(id, entry);
    return json(201, this.linkView(entry));
  }

  private getLink(id: string): SimResponse {
    const entry = this.links.get(id);
    if (!entry) return this.error(404, '000', 'Payment link not found', 'validation');
    return json(200, this.linkView(entry));
  }

  private updateLink(id: string, body: any): SimResponse {
    const invalid = this.invalid('UpdatePaymentLinkRequest', body, `/paymentLinks/${id}`);
    if (invalid) return invalid;
    const entry = this.links.get(id);
    if (!entry) return this.error(404, '000', 'Payment link not found', 'validation');
    if (body.status !== 'expired')
      return this.error(422, '000', 'Only status expired can be set', 'validation');
    if (entry.status !== 'active')
      return this.error(422, '000', `Payment link is ${entry.status}`, 'validation');
    entry.status = 'expired';
    return json(200, this.linkView(entry));
  }

  private modify(pspReference: string, kind: string, body: any): SimResponse {
    const schema = {
      captures: 'PaymentCaptureRequest',
      cancels: 'PaymentCancelRequest',
      refunds: 'PaymentRefundRequest',
    }[kind]!;
    const invalid = this.invalid(schema, body, `/payments/${pspReference}/${kind}`);
    if (invalid) return invalid;
    if (body.merchantAccount !== this.account.merchantAccount)
      return this.error(403, '901', 'Invalid Merchant Account', 'security');
    const entry = [...this.links.values()].find((l) => l.pspReference === pspReference);
    if (!entry)
      return this.error(
        422,
        '167',
        'Original pspReference required for this operation',
        'validation',
      );
    const currency = entry.request.amount.currency;
    if (body.amount && body.amount.currency !== currency)
      return this.error(422, '000', 'Currency mismatch', 'validation');
    const lineItemsMissing = this.lineItemsMissing(entry, kind, body);
    if (lineItemsMissing) return lineItemsMissing;
    const modificationRef = randomBytes(8).toString('hex').toUpperCase();
    const value: number | undefined = body.amount?.value;
    let event: { eventCode: string; success: boolean; reason?: string; value: number } | undefined;
    if (kind === 'captures') {
      const ok =
        entry.capture !== 'immediate' &&
        entry.captured === 0 &&
        !entry.canceled &&
        !entry.authorisationExpired &&
        value! <= entry.request.amount.value &&
        !this.refuseNextCapture;
      this.refuseNextCapture = false;
      if (ok) entry.captured = value!;
      event = {
        eventCode: 'CAPTURE',
        success: ok,
        reason: ok ? undefined : 'Capture not possible',
        value: value!,
      };
    } else if (kind === 'cancels') {
      const ok = entry.captured === 0 && !entry.canceled && !this.refuseNextCancel;
      this.refuseNextCancel = false;
      if (ok) entry.canceled = true;
      event = {
        eventCode: 'CANCELLATION',
        success: ok,
        reason: ok ? undefined : 'Cancel not possible',
        value: entry.request.amount.value,
      };
    } else {
      const ok = value! > 0 && entry.refunded + value! <= entry.captured && !this.refuseNextRefund;
      this.refuseNextRefund = false;
      if (ok) entry.refunded += value!;
      event = {
        eventCode: 'REFUND',
        success: ok,
        reason: ok ? undefined : 'Insufficient balance on payment',
        value: value!,
      };
    }
    const reference: string = body.reference ?? entry.request.reference;
    this.modifications.set(modificationRef, {
      pspReference: modificationRef,
      kind: kind as Modification['kind'],
      link: entry,
      reference,
      amount: { currency, value: event.value },
      success: event.success,
    });
    // Adyen answers `received` now and reports the outcome by webhook.
    this.notifyLater({
      pspReference: modificationRef,
      originalReference: pspReference,
      merchantReference: reference,
      eventCode: event.eventCode,
      success: event.success,
      reason: event.reason,
      amount: { currency, value: event.value },
    });
    return json(201, {
      merchantAccount: body.merchantAccount,
      paymentPspReference: pspReference,
      pspReference: modificationRef,
      reference: body.reference,
      status: 'received',
      ...(body.amount ? { amount: body.amount } : {}),
    });
  }

  /**
   * A partial capture or refund of a Klarna payment without lineItems is refused before anything
   * is done (CheckoutService-v71.json, PaymentCaptureRequest/PaymentRefundRequest.lineItems:
   * "required for partial refunds with … Klarna"). Partial: less than what was authorised
   * (capture) or less than what was captured (refund). The spec names no error code: 702, as for
   * the other request errors here.
   */
  private lineItemsMissing(entry: Link, kind: string, body: any): SimResponse | undefined {
    if (kind === 'cancels' || !KLARNA_TYPES.has(entry.paymentMethod ?? '')) return undefined;
    if (Array.isArray(body.lineItems) && body.lineItems.length > 0) return undefined;
    const whole = kind === 'captures' ? entry.request.amount.value : entry.captured;
    if (body.amount.value >= whole) return undefined;
    const what = kind === 'captures' ? 'partial capture' : 'partial refund';
    return this.error(
      422,
      '702',
      `lineItems are required for a ${what} of ${entry.paymentMethod}`,
      'validation',
    );
  }

  /**
   * The card scheme rejects a capture after Adyen confirmed it (CAPTURE success=true): Adyen
   * sends CAPTURE_FAILED for the capture's pspReference, and the money is not captured.
   */
  async schemeRejectsCapture(reference: string, reason = 'Capture Failed'): Promise<void> {
    const capture = this.accepted('captures', reference);
    capture.link.captured = 0;
    await this.notify({
      pspReference: capture.pspReference,
      originalReference: capture.link.pspReference!,
      merchantReference: capture.reference,
      eventCode: 'CAPTURE_FAILED',
      success: true,
      reason,
      amount: capture.amount,
    });
  }

  /**
   * A refund that Adyen confirmed (REFUND success=true) does not reach the shopper after all:
   * REFUND_FAILED (rejected by the card scheme) or REFUNDED_REVERSED (the amount came back to
   * the merchant account), for the refund's pspReference.
   */
  async refundFailsLater(
    reference: string,
    eventCode: 'REFUND_FAILED' | 'REFUNDED_REVERSED',
    reason = eventCode === 'REFUND_FAILED' ? 'Refund Failed' : 'Refunded amount returned',
  ): Promise<void> {
    const refund = this.accepted('refunds', reference);
    refund.link.refunded -= refund.amount.value;
    await this.notify({
      pspReference: refund.pspReference,
      originalReference: refund.link.pspReference!,
      merchantReference: refund.reference,
      eventCode,
      success: true,
      reason,
      amount: refund.amount,
    });
  }

  /**
   * The authorisation's validity ends before it was captured (docs.adyen.com/online-payments/
   * capture, authorisation validity): Adyen releases the uncaptured amount and sends EXPIRE for
   * the authorisation, which can no longer be captured.
   */
  async authorisationExpires(linkId: string): Promise<void> {
    const entry = this.links.get(linkId);
    if (!entry?.authorised) throw new Error(`link ${linkId} has no authorisation`);
    entry.authorisationExpired = true;
    await this.notify({
      pspReference: randomBytes(8).toString('hex').toUpperCase(),
      originalReference: entry.pspReference!,
      merchantReference: entry.request.reference,
      eventCode: 'EXPIRE',
      success: true,
      // ExpireNotificationRequestItem.amount: "The amount that was originally authorised."
      amount: entry.request.amount,
    });
  }

  /**
   * A stage of a dispute about the captured payment, as Adyen notifies it (Webhooks-v1.json,
   * Dispute): CHARGEBACK (the funds deducted from the merchant), CHARGEBACK_REVERSED (defended
   * successfully, the funds back; not final), SECOND_CHARGEBACK. Each names the authorisation
   * (originalReference) and our reference, under the dispute's own pspReference.
   */
  async dispute(
    linkId: string,
    eventCode: 'CHARGEBACK' | 'CHARGEBACK_REVERSED' | 'SECOND_CHARGEBACK',
    reason = 'Fraudulent Processing of Transactions',
  ): Promise<void> {
    const entry = this.links.get(linkId);
    if (!entry?.captured) throw new Error(`link ${linkId} has nothing captured to dispute`);
    entry.disputeReference ??= randomBytes(8).toString('hex').toUpperCase();
    await this.notify({
      pspReference: entry.disputeReference,
      originalReference: entry.pspReference!,
      merchantReference: entry.request.reference,
      eventCode,
      success: true,
      reason,
      amount: { currency: entry.request.amount.currency, value: entry.captured },
      paymentMethod: entry.paymentMethod,
    });
  }

  /** The last modification of a kind with our reference that Adyen reported done. */
  private accepted(kind: Modification['kind'], reference: string): Modification {
    const found = [...this.modifications.values()]
      .filter((m) => m.kind === kind && m.reference === reference && m.success)
      .pop();
    if (!found) throw new Error(`no successful ${kind} with reference ${reference}`);
    return found;
  }

  private async hostedPage(id: string, request: SimRequest): Promise<SimResponse> {
    const entry = this.links.get(id);
    if (!entry) return text(404, 'Payment link not found');
    if (request.method === 'GET') {
      return checkoutPage(`Pay ${entry.request.description ?? ''}`, [
        'paid',
        'authorized',
        'failed',
        'canceled',
        'expired',
        'pending',
      ]);
    }
    const fields = formFields(request.body);
    const outcome = fields.outcome as AdyenOutcome;
    // The shopper's choice on the page: a brand (`visa`, `mc`) or a method type (`ideal`).
    entry.paymentMethod = fields.method ?? entry.request.allowedPaymentMethods?.[0] ?? 'visa';
    if (entry.paymentMethod === 'scheme') entry.paymentMethod = 'visa';
    if (entry.status !== 'active') return text(410, `This payment link is ${entry.status}`);
    // The hosted page shows only the allowedPaymentMethods of the link.
    const allowed: string[] | undefined = entry.request.allowedPaymentMethods;
    if (allowed && !allowed.includes(methodType(entry.paymentMethod)))
      return text(400, `${entry.paymentMethod} is not offered on this payment link`);
    if (outcome === 'expired') {
      entry.status = 'expired'; // Adyen sends no webhook when a link expires
    } else if (outcome === 'paid' || outcome === 'authorized') {
      await this.authorise(entry);
    } else if (outcome === 'pending') {
      // An asynchronous method (a bank transfer, say) under way: the link is paymentPending
      // (PaymentLinkResponse.status) and the AUTHORISATION only follows once it is done.
      entry.status = 'paymentPending';
    } else if (outcome === 'failed' || outcome === 'canceled') {
      await this.notify(
        this.authorisation(entry, false, outcome === 'failed' ? 'Refused' : 'Cancelled'),
      );
    } else {
      return text(400, 'unknown outcome');
    }
    return redirect(entry.request.returnUrl ?? 'about:blank');
  }

  /** The asynchronous payment on a `paymentPending` link is done: authorised, or refused (the link is usable again). */
  async finishPending(linkId: string, success: boolean): Promise<void> {
    const entry = this.links.get(linkId);
    if (entry?.status !== 'paymentPending') throw new Error(`link ${linkId} is not paymentPending`);
    if (success) return this.authorise(entry);
    entry.status = 'active';
    await this.notify(this.authorisation(entry, false, 'Refused'));
  }

  private async authorise(entry: Link): Promise<void> {
    entry.status = 'completed';
    entry.authorised = true;
    entry.pspReference = randomBytes(8).toString('hex').toUpperCase();
    entry.capture = this.captureOf(entry);
    if (entry.capture === 'immediate') entry.captured = entry.request.amount.value;
    await this.notify(this.authorisation(entry, true));
  }

  /**
   * How Adyen captures an authorisation (docs.adyen.com/online-payments/capture): `manualCapture:
   * true` waits for a capture request; `captureDelayHours` (PaymentLinkRequest, 0 = at once)
   * overrides the merchant account's default; otherwise the account's default applies. Only
   * for methods with separate captures: the others are captured at once in any case.
   */
  private captureOf(entry: Link): NonNullable<Link['capture']> {
    if (!SEPARATE_CAPTURE_TYPES.has(methodType(entry.paymentMethod ?? 'visa'))) return 'immediate';
    const request = entry.request;
    if (request.manualCapture === true) return 'manual';
    const delay: number | undefined = request.captureDelayHours;
    if (delay !== undefined) return delay === 0 ? 'immediate' : 'delayed';
    const fallback = this.captureDefault;
    if (typeof fallback === 'object') return fallback.delayHours === 0 ? 'immediate' : 'delayed';
    return fallback;
  }

  private authorisation(entry: Link, success: boolean, reason?: string) {
    const metadata = Object.fromEntries(
      Object.entries(entry.request.metadata ?? {}).map(([k, v]) => [`metadata.${k}`, String(v)]),
    );
    return {
      pspReference: entry.pspReference ?? randomBytes(8).toString('hex').toUpperCase(),
      merchantReference: entry.request.reference,
      eventCode: 'AUTHORISATION',
      success,
      reason,
      amount: entry.request.amount,
      paymentMethod: entry.paymentMethod,
      additionalData: { paymentLinkId: entry.id, ...(this.omitMetadata ? {} : metadata) },
    };
  }

  private notifyLater(item: Parameters<AdyenSimulator['notify']>[0]): void {
    this.later(() => this.notify(item));
  }

  /** Sends one standard webhook, signed as Adyen signs it. */
  async notify(item: {
    pspReference: string;
    originalReference?: string;
    merchantReference: string;
    eventCode: string;
    success: boolean;
    reason?: string;
    amount: { currency: string; value: number };
    paymentMethod?: string;
    additionalData?: Record<string, string>;
  }): Promise<void> {
    const notificationItem: Record<string, any> = {
      pspReference: item.pspReference,
      ...(item.originalReference ? { originalReference: item.originalReference } : {}),
      merchantAccountCode: this.account.merchantAccount,
      merchantReference: item.merchantReference,
      eventDate: new Date().toISOString().replace(/\.\d{3}Z$/, '+00:00'),
      eventCode: item.eventCode,
      amount: item.amount,
      success: String(item.success),
      paymentMethod: item.paymentMethod ?? 'visa',
      reason: item.reason ?? '',
    };
    notificationItem.additionalData = {
      ...(item.additionalData ?? {}),
      hmacSignature: this.hmac.calculateHmac(notificationItem as never, this.account.hmacKey),
    };
    this.lastSigned = JSON.stringify({
      live: 'false',
      notificationItems: [{ NotificationRequestItem: notificationItem }],
    });
    if (this.dropWebhooks || !this.webhookUrl) return;
    await this.deliver(this.lastSigned);
  }

  /** Posts a notification body to the webhook URL (also used to replay one). */
  async deliver(body: string): Promise<number> {
    const response = await fetch(this.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const responseText = await response.text();
    this.delivered.push({ body, status: response.status, responseText });
    return response.status;
  }

  private linkView(entry: Link) {
    return {
      ...entry.request,
      id: entry.id,
      url: entry.url,
      status: entry.status,
      // PaymentLinkResponse.expiresAt: YYYY-MM-DDThh:mm:ss+TZD; 24 hours when not asked for.
      expiresAt:
        entry.request.expiresAt ??
        new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, '+00:00'),
    };
  }

  private invalid(schema: string, body: unknown, path: string): SimResponse | undefined {
    if (body === null || typeof body !== 'object')
      return this.error(422, '702', 'Empty or invalid body', 'validation');
    const errors = this.spec?.validate(`components/schemas/${schema}`, body) ?? [];
    if (errors.length === 0) return undefined;
    this.rejected.push({ path, errors });
    const first = errors[0];
    return this.error(
      422,
      '702',
      `Structure of ${schema} contains errors: ${first.field || '(root)'} ${first.message}`,
      'validation',
    );
  }

  private error(
    status: number,
    errorCode: string,
    message: string,
    errorType: string,
  ): SimResponse {
    return json(status, {
      status,
      errorCode,
      message,
      errorType,
      pspReference: randomBytes(8).toString('hex').toUpperCase(),
    });
  }
}
