import { randomBytes } from 'node:crypto';
import {
  checkoutPage,
  formFields,
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
  amountCaptured?: SimAmount;
  amountRefunded?: SimAmount;
  amountChargedBack?: SimAmount;
  refunds: SimRefund[];
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
 * calls the webhook with only `id=tr_…` (form-encoded, unsigned).
 */
export class MollieSimulator extends PspSimulator {
  readonly payments = new Map<string, SimPayment>();
  /** Refunds settle (pending → refunded, with a webhook) right after they are created. */
  settleRefunds = true;
  /** The next refund is accepted and then fails (status `failed`). */
  failNextRefund = false;

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
    if (request.method === 'POST') {
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
    if (request.method === 'POST' && request.path === '/v2/payments') return this.create(body);
    const match = /^\/v2\/payments\/([^/]+)(\/captures|\/refunds)?$/.exec(request.path);
    const payment = match ? this.payments.get(match[1]) : undefined;
    if (!match) return mollieError(404, 'Not Found', 'The resource does not exist');
    if (!payment) return mollieError(404, 'Not Found', `No payment exists with token ${match[1]}.`);
    if (request.method === 'GET' && !match[2])
      return json(
        200,
        this.view(payment, request.query.get('embed') === 'refunds'),
        'application/hal+json',
      );
    if (request.method === 'DELETE' && !match[2]) return this.cancel(payment);
    if (request.method === 'POST' && match[2] === '/captures') return this.capture(payment, body);
    if (request.method === 'POST' && match[2] === '/refunds') return this.refund(payment, body);
    return mollieError(
      405,
      'Method Not Allowed',
      `The method ${request.method} is not allowed here`,
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
      refunds: [],
    };
    this.payments.set(id, payment);
    return json(201, this.view(payment, false), 'application/hal+json');
  }

  private view(payment: SimPayment, embedRefunds: boolean) {
    const { refunds, ...rest } = payment;
    return {
      ...rest,
      isCancelable: ['open', 'authorized'].includes(payment.status),
      _links: {
        self: { href: `${this.url}/v2/payments/${payment.id}`, type: 'application/hal+json' },
        ...(payment.status === 'open'
          ? { checkout: { href: `${this.url}/checkout/${payment.id}`, type: 'text/html' } }
          : {}),
      },
      ...(embedRefunds ? { _embedded: { refunds } } : {}),
    };
  }

  private async cancel(payment: SimPayment): Promise<SimResponse> {
    if (!['open', 'authorized'].includes(payment.status))
      return mollieError(
        422,
        'Unprocessable Entity',
        `The payment cannot be canceled (status ${payment.status})`,
      );
    payment.status = 'canceled';
    return json(200, this.view(payment, false), 'application/hal+json');
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
      if (minor(body.amount) > minor(payment.amount))
        return mollieError(
          422,
          'Unprocessable Entity',
          'The capture amount is higher than the authorized amount',
          'amount.value',
        );
    }
    const amount = body.amount ?? payment.amount;
    payment.status = 'paid';
    payment.amountCaptured = amount;
    const capture = {
      resource: 'capture',
      id: `cpt_${randomBytes(5).toString('hex')}`,
      mode: payment.mode,
      status: 'succeeded',
      amount,
      paymentId: payment.id,
      createdAt: new Date().toISOString(),
    };
    await this.notify(payment);
    return json(201, capture, 'application/hal+json');
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
        refund.status = fails ? 'failed' : 'refunded';
        if (!fails)
          payment.amountRefunded = amountOf(
            payment.amount.currency,
            refunded + minor(refund.amount),
          );
        void this.notify(payment);
      });
    }
    return json(201, refund, 'application/hal+json');
  }

  /** The customer's bank reverses a paid payment: Mollie keeps it `paid` and reports amountChargedBack. */
  async chargeback(id: string): Promise<void> {
    const payment = this.payments.get(id)!;
    payment.amountChargedBack = payment.amountCaptured ?? payment.amount;
    await this.notify(payment);
  }

  /** The hosted checkout: a form whose button decides the outcome. */
  private async checkout(request: SimRequest, id: string): Promise<SimResponse> {
    const payment = this.payments.get(id);
    if (!payment) return { status: 404, body: 'unknown payment' };
    if (request.method === 'GET')
      return checkoutPage(`Mollie checkout ${id}`, ['paid', 'failed', 'canceled', 'expired']);
    if (payment.status !== 'open') return { status: 409, body: `payment is ${payment.status}` };
    const outcome = formFields(request.body).outcome;
    if (!['paid', 'failed', 'canceled', 'expired'].includes(outcome))
      return { status: 400, body: 'unknown outcome' };
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
