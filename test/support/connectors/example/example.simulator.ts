import { createHmac, randomBytes } from 'node:crypto';
import {
  checkoutPage,
  formFields,
  json,
  PspSimulator,
  redirect,
  type SimRequest,
  type SimResponse,
} from '../../../simulators/psp-simulator';
import type { ExampleCharge, ExampleRefund } from './example.types';

const CHARGE = /^\/v1\/charges\/(ch_[a-z0-9]+)(\/capture|\/void|\/refunds)?$/;
const PAGE = /^\/pay\/(ch_[a-z0-9]+)$/;

/**
 * The example PSP: JSON over HTTP with `X-Api-Key`, a hosted page whose buttons decide the
 * outcome, webhooks signed with HMAC-SHA256 of the body under the webhook secret.
 */
export class ExampleSimulator extends PspSimulator {
  readonly apiKey = `ex_test_${randomBytes(12).toString('hex')}`;
  readonly merchantId = 'M12345';
  readonly webhookSecret = randomBytes(16).toString('hex');
  readonly charges = new Map<string, ExampleCharge>();
  readonly refunds: ExampleRefund[] = [];

  protected isApi(request: SimRequest): boolean {
    return request.path.startsWith('/v1/');
  }

  protected handle(request: SimRequest): SimResponse {
    const page = PAGE.exec(request.path);
    if (page) return this.page(request, page[1]);
    if (request.headers['x-api-key'] !== this.apiKey)
      return json(401, { error: { code: 'unauthorized', message: 'unknown API key' } });
    if (request.method === 'GET' && request.path === '/v1/merchant')
      return json(200, { id: this.merchantId });
    if (request.method === 'POST' && request.path === '/v1/charges') return this.create(request);
    const match = CHARGE.exec(request.path);
    const charge = match && this.charges.get(match[1]);
    if (!charge) return json(404, { error: { code: 'not_found', message: 'no such charge' } });
    const body = request.body ? (JSON.parse(request.body) as { amount?: number }) : {};
    if (request.method === 'GET' && !match[2]) return json(200, charge);
    if (match[2] === '/capture' && charge.status === 'authorised') {
      this.update(charge, 'captured', body.amount ?? charge.amount);
      return json(200, charge);
    }
    if (match[2] === '/void' && ['created', 'authorised'].includes(charge.status)) {
      this.update(charge, 'voided');
      return json(200, charge);
    }
    if (match[2] === '/refunds' && charge.status === 'captured') {
      const refund: ExampleRefund = {
        id: `rf_${randomBytes(6).toString('hex')}`,
        status: 'succeeded',
        amount: body.amount ?? 0,
      };
      this.refunds.push(refund);
      return json(201, refund);
    }
    return json(409, { error: { code: 'invalid_state', message: `charge is ${charge.status}` } });
  }

  private create(request: SimRequest): SimResponse {
    const body = JSON.parse(request.body) as Partial<ExampleCharge>;
    if (body.merchant !== this.merchantId || !Number.isInteger(body.amount))
      return json(400, { error: { code: 'invalid_request', message: 'merchant or amount' } });
    const id = `ch_${randomBytes(6).toString('hex')}`;
    const charge: ExampleCharge = {
      ...(body as ExampleCharge),
      id,
      status: 'created',
      captured_amount: 0,
      redirect_url: `${this.url}/pay/${id}`,
    };
    this.charges.set(id, charge);
    return json(201, charge);
  }

  /** The customer's page: GET shows the buttons, POST applies the outcome and redirects. */
  private page(request: SimRequest, id: string): SimResponse {
    const charge = this.charges.get(id);
    if (!charge) return json(404, { error: { code: 'not_found' } });
    if (request.method === 'GET') return checkoutPage('Example PSP', ['pay', 'decline', 'cancel']);
    const outcome = formFields(request.body).outcome;
    if (outcome === 'pay')
      this.update(
        charge,
        charge.capture === 'manual' ? 'authorised' : 'captured',
        charge.capture === 'manual' ? 0 : charge.amount,
      );
    else this.update(charge, outcome === 'decline' ? 'declined' : 'voided');
    return redirect(
      outcome === 'cancel' && charge.cancel_url ? charge.cancel_url : charge.return_url,
    );
  }

  private update(charge: ExampleCharge, status: ExampleCharge['status'], captured?: number): void {
    charge.status = status;
    if (captured !== undefined) charge.captured_amount = captured;
    const body = JSON.stringify({ type: 'charge.updated', charge });
    const signature = createHmac('sha256', this.webhookSecret).update(body).digest('hex');
    this.later(() =>
      this.sendWebhook(
        charge.notify_url,
        { 'content-type': 'application/json', 'example-signature': signature },
        body,
      ),
    );
  }
}
