import { createHmac, randomBytes } from 'node:crypto';
import {
  checkoutPage,
  formFields,
  json,
  PspSimulator,
  redirect,
  SimRequest,
  SimResponse,
} from '../psp-simulator';
import { cartProblem, cartRefundAmount, type CartProblem } from './multisafepay-cart-rules';

const CURRENCIES = new Set([
  'EUR',
  'GBP',
  'USD',
  'CHF',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'AUD',
  'CAD',
]);
const GATEWAYS = new Set([
  'CREDITCARD',
  'IDEAL',
  'MISTERCASH',
  'PAYPAL',
  'EPS',
  'KLARNA',
  'APPLEPAY',
  'GOOGLEPAY',
  'BANKTRANS',
  'VISA',
  'MASTERCARD',
]);

interface SimOrder {
  order_id: string;
  transaction_id: number;
  status: string;
  financial_status: string;
  amount: number;
  amount_refunded: number;
  currency: string;
  description: string;
  var1: string | null;
  gateway: string | null;
  created: string;
  modified: string;
  customer: Record<string, unknown>;
  delivery?: Record<string, unknown>;
  shopping_cart?: { items: Record<string, unknown>[] };
  checkout_options?: Record<string, unknown>;
  seconds_active?: number;
  payment_details: { type: string | null; capture?: 'manual'; capture_remain?: number };
  captureMode: 'manual' | null;
  related_transactions: SimRelated[];
  /** BNPL: quantities refunded so far, by refundedItemKey (not shown). */
  refundedItems: Map<string, number>;
  reason?: string;
  notification_url: string;
  redirect_url: string;
  cancel_url: string;
}

/** A related transaction (openapi schemas/RelatedTransactions.yaml). */
interface SimRelated {
  transaction_id: number;
  type: 'capture' | 'chargeback' | 'refund';
  order_id: string;
  amount: number;
  currency: string;
  status: string;
  description: string;
  created: string;
  refund_order_id?: string;
  /** A refund MultiSafepay has not booked yet: not shown on reads (see bookRefundsLate). */
  unbooked?: boolean;
}

/** MultiSafepay's site name in the descriptions it writes ("Refund order … for <site>"). */
const SITE = 'PaymentServer test site';

/** error-reference.md 1034: "a second refund for the same amount … within 5 minutes". */
const DUPLICATE_REFUND_MS = 5 * 60_000;

/** Characters as MultiSafepay's limits count them (code points: an emoji is one). */
function characters(text: string): number {
  return [...text].length;
}

/** An amount refund (openapi requestBody/Refund.yaml): its amount in cents. */
function amountRefund(order: SimOrder, body: Record<string, any>): number | CartProblem {
  if (body.currency !== order.currency) return { code: 1002, info: 'Invalid currency' };
  if (typeof body.amount !== 'number' || !Number.isInteger(body.amount) || body.amount <= 0)
    return { code: 1001, info: 'Invalid amount' };
  return body.amount;
}

/** Required of a BNPL order's delivery (schemas/orders/BNPL.yaml), plus Klarna's email (Delivery.yaml). */
const KLARNA_DELIVERY_FIELDS = [
  'first_name',
  'last_name',
  'address1',
  'house_number',
  'zip_code',
  'city',
  'country',
  'email',
];

/** The first field a Klarna order's delivery lacks, as `delivery` or `delivery.<field>`. */
function missingDelivery(delivery: unknown): string | undefined {
  if (!delivery || typeof delivery !== 'object') return 'delivery';
  const fields = delivery as Record<string, unknown>;
  const missing = KLARNA_DELIVERY_FIELDS.find(
    (field) => typeof fields[field] !== 'string' || !(fields[field] as string).trim(),
  );
  return missing ? `delivery.${missing}` : undefined;
}

function mspError(status: number, code: number, info: string): SimResponse {
  return json(status, { success: false, data: {}, error_code: code, error_info: info });
}

/**
 * A stateful stand-in for MultiSafepay API v1 orders. Like MultiSafepay it wants the
 * `api_key` header, JSON bodies, integer amounts in cents, wraps answers in
 * `{ success, data }`, and POSTs notifications (the order as JSON) to
 * `notification_url?transactionid=…&timestamp=…` with the `Auth` header
 * base64("ts:" + hex HMAC-SHA512(api key, "ts:" + body)).
 */
export class MultisafepaySimulator extends PspSimulator {
  readonly orders = new Map<string, SimOrder>();
  private nextTransactionId = 4_000_000;
  /**
   * A refund's description on the order: MultiSafepay writes its own ("Refund order 94543565 for
   * 4terminals", examples/responses/getReceiptRefund.json); true echoes the request's instead.
   */
  echoRefundDescription = false;
  /**
   * The refund answer names `refund_id` (old API reference refund-order.md); false leaves it out,
   * as examples/responses/refundOrder.json does (order_id and the original's transaction_id).
   */
  answerRefundId = true;
  /**
   * A refund shows on reads only once MultiSafepay has booked it: from the next refund request
   * on its order (or its settlement) on. A read while it is booking misses it.
   */
  bookRefundsLate = false;
  /** Added to the clock (the 5-minute duplicate refund rule). */
  clockOffsetMs = 0;

  constructor(readonly apiKey = randomBytes(20).toString('hex')) {
    super();
  }

  protected isApi(request: SimRequest): boolean {
    return request.path.startsWith('/v1/json/');
  }

  protected async handle(request: SimRequest): Promise<SimResponse> {
    const page = /^\/pay\/([^/]+)$/.exec(request.path);
    if (page) return this.checkout(request, decodeURIComponent(page[1]));
    if (request.headers['api_key'] !== this.apiKey) return mspError(401, 1032, 'Invalid API key');
    let body: Record<string, any> = {};
    if (request.method === 'POST' || request.method === 'PATCH') {
      if (!String(request.headers['content-type']).startsWith('application/json'))
        return mspError(400, 1016, 'Missing data: the request body must be JSON');
      try {
        body = JSON.parse(request.body);
      } catch {
        return mspError(400, 1016, 'Missing data: the request body is not valid JSON');
      }
    }
    if (request.method === 'POST' && request.path === '/v1/json/orders') return this.create(body);
    if (request.method === 'GET' && request.path === '/v1/json/gateways')
      return json(200, {
        success: true,
        data: [
          { id: 'IDEAL', description: 'iDEAL' },
          { id: 'CREDITCARD', description: 'Credit card' },
        ],
      });
    const reservation = /^\/v1\/json\/capture\/([^/]+)$/.exec(request.path);
    if (reservation && request.method === 'PATCH')
      return this.cancelReservation(decodeURIComponent(reservation[1]), body);
    const capture = /^\/v1\/json\/orders\/([^/]+)\/capture$/.exec(request.path);
    if (capture && request.method === 'POST')
      return this.capture(decodeURIComponent(capture[1]), body);
    const match = /^\/v1\/json\/orders\/([^/]+)(\/refunds)?$/.exec(request.path);
    if (!match) return mspError(404, 1014, 'Unspecified error: unknown endpoint');
    const order = this.orders.get(decodeURIComponent(match[1]));
    if (!order && request.method === 'GET' && !match[2]) {
      const refund = this.refundOrder(decodeURIComponent(match[1]));
      if (refund) return json(200, { success: true, data: refund });
    }
    if (!order) return mspError(404, 1006, 'Invalid transaction ID');
    if (request.method === 'GET' && !match[2])
      return json(200, { success: true, data: this.view(order) });
    if (request.method === 'PATCH' && !match[2]) return this.update(order, body);
    if (request.method === 'POST' && match[2]) return this.refund(order, body);
    return mspError(405, 1014, 'Unspecified error: method not allowed');
  }

  private create(body: Record<string, any>): SimResponse {
    if (!['redirect', 'direct', 'paymentlink'].includes(body.type))
      return mspError(400, 1000, 'Disabled transaction type');
    if (typeof body.order_id !== 'string' || !body.order_id)
      return mspError(400, 1016, 'Missing data: order_id');
    if (typeof body.currency !== 'string' || !CURRENCIES.has(body.currency))
      return mspError(400, 1002, 'Invalid currency');
    if (typeof body.amount !== 'number' || !Number.isInteger(body.amount) || body.amount <= 0)
      return mspError(400, 1001, 'Invalid amount');
    // 1008: description missing or over 200 characters; 1010: var1–var3 over 100 characters
    // (api/general/error-reference.md, openapi schemas/Description.yaml).
    if (
      typeof body.description !== 'string' ||
      !body.description ||
      characters(body.description) > 200
    )
      return mspError(400, 1008, 'Invalid description');
    for (const name of ['var1', 'var2', 'var3'])
      if (
        body[name] !== undefined &&
        body[name] !== null &&
        (typeof body[name] !== 'string' || characters(body[name]) > 100)
      )
        return mspError(400, 1010, `Invalid variable: ${name}`);
    // 1023 "Gateway unavailable" (openapi errors/Error1023.yaml): no such payment method here.
    if (body.gateway !== undefined && !GATEWAYS.has(body.gateway))
      return mspError(400, 1023, 'No gateway (payment method) available');
    const options = body.payment_options ?? {};
    if (typeof options.notification_url !== 'string' || typeof options.redirect_url !== 'string')
      return mspError(400, 1016, 'Missing data: payment_options');
    if (
      options.notification_method !== undefined &&
      !['POST', 'GET'].includes(options.notification_method)
    )
      return mspError(400, 1014, 'Unspecified error: invalid notification_method');
    // A BNPL order requires `delivery` (openapi schemas/orders/BNPL.yaml required, with
    // address1, city, country, first_name, house_number, last_name, zip_code), and a Klarna one
    // its email (schemas/Delivery.yaml "Required for: Klarna orders"): 1016 "Missing data"
    // (error-reference.md "The request is missing required information").
    if (body.gateway === 'KLARNA') {
      const missing = missingDelivery(body.delivery);
      if (missing) return mspError(400, 1016, `Missing data: ${missing}`);
    }
    const cart = cartProblem(body);
    if (cart) return mspError(400, cart.code, cart.info);
    // 1006: the order_id was already used for this site (openapi errors/Error1006.yaml).
    if (this.orders.has(body.order_id)) return mspError(400, 1006, 'Invalid transaction ID');
    if (
      body.capture !== undefined &&
      (body.capture !== 'manual' || !['CREDITCARD', 'VISA', 'MASTERCARD'].includes(body.gateway))
    ) {
      return mspError(400, 1014, 'Unspecified error: manual capture is for card gateways');
    }
    const now = new Date().toISOString();
    const order: SimOrder = {
      order_id: body.order_id,
      transaction_id: this.nextTransactionId++,
      status: 'initialized',
      financial_status: 'initialized',
      amount: body.amount,
      amount_refunded: 0,
      currency: body.currency,
      description: body.description,
      var1: body.var1 ?? null,
      gateway: body.gateway ?? null,
      created: now,
      modified: now,
      customer: body.customer ?? {},
      ...(body.delivery ? { delivery: body.delivery } : {}),
      ...(body.shopping_cart ? { shopping_cart: body.shopping_cart } : {}),
      ...(body.checkout_options ? { checkout_options: body.checkout_options } : {}),
      ...(body.seconds_active ? { seconds_active: body.seconds_active } : {}),
      payment_details: { type: body.gateway ?? null },
      captureMode: body.capture === 'manual' ? 'manual' : null,
      related_transactions: [],
      refundedItems: new Map(),
      notification_url: options.notification_url,
      redirect_url: options.redirect_url,
      cancel_url: options.cancel_url ?? options.redirect_url,
    };
    this.orders.set(order.order_id, order);
    return json(200, {
      success: true,
      data: {
        order_id: order.order_id,
        payment_url: `${this.url}/pay/${encodeURIComponent(order.order_id)}`,
      },
    });
  }

  /** The order as the API and the notifications show it (no merchant URLs, nothing unbooked). */
  view(order: SimOrder) {
    const {
      notification_url: _n,
      redirect_url: _r,
      cancel_url: _c,
      captureMode: _m,
      refundedItems: _i,
      ...rest
    } = order;
    void _n;
    void _r;
    void _c;
    void _m;
    void _i;
    return {
      ...rest,
      related_transactions: order.related_transactions
        .filter((t) => !t.unbooked)
        .map(({ unbooked: _u, ...t }) => (void _u, t)),
    };
  }

  /**
   * A refund with a refund_order_id is an order of its own (paths/orders@{order_id}@refunds.yaml:
   * "Refunding creates a new order linked to the original order"), with the refund's status.
   */
  private refundOrder(refundOrderId: string) {
    for (const order of this.orders.values()) {
      const t = order.related_transactions.find(
        (r) => r.type === 'refund' && r.refund_order_id === refundOrderId && !r.unbooked,
      );
      if (t)
        return {
          order_id: refundOrderId,
          transaction_id: t.transaction_id,
          status: t.status,
          financial_status: t.status,
          amount: t.amount,
          currency: t.currency,
          description: t.description,
          created: t.created,
          modified: t.created,
          payment_details: { type: order.payment_details.type },
          related_transactions: null,
        };
    }
    return undefined;
  }

  /** The simulator's clock. */
  private now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  private awaitingCapture(order: SimOrder): boolean {
    return (
      order.status === 'completed' &&
      order.financial_status === 'initialized' &&
      order.payment_details.capture === 'manual'
    );
  }

  /** Captures (part of) an authorization into a new child order, as MultiSafepay does. */
  private capture(orderId: string, body: Record<string, any>): SimResponse {
    const order = this.orders.get(orderId);
    if (!order) return mspError(404, 1006, 'Invalid transaction ID');
    if (!this.awaitingCapture(order) || !order.payment_details.capture_remain)
      return mspError(400, 1014, `Unspecified error: order ${orderId} has nothing to capture`);
    if (
      typeof body.amount !== 'number' ||
      !Number.isInteger(body.amount) ||
      body.amount <= 0 ||
      body.amount > order.payment_details.capture_remain
    )
      return mspError(400, 1001, 'Invalid amount');
    if (
      typeof body.new_order_id !== 'string' ||
      !body.new_order_id ||
      this.orders.has(body.new_order_id)
    )
      return mspError(400, 1016, 'Missing data: new_order_id');
    const child = this.bookCapture(
      order,
      body.amount,
      body.new_order_id,
      body.description ?? order.description,
      body.new_order_status ?? 'completed',
    );
    if (order.status === 'completed' && order.financial_status === 'completed')
      this.notifyLater(order);
    this.notifyLater(child);
    return json(200, {
      success: true,
      data: { transaction_id: child.transaction_id, order_id: child.order_id },
    });
  }

  /**
   * A capture of `amount` of an authorization into a new order `childOrderId`: listed on the
   * authorization, its capture_remain reduced. manual-capture.md: after a full capture the
   * transaction is completed; after a partial one "the original transaction retains its initial
   * statuses" and the rest stays capturable until it is cancelled (PATCH /capture/{id}) or
   * expires.
   */
  private bookCapture(
    order: SimOrder,
    amount: number,
    childOrderId: string,
    description: string,
    status: string,
  ): SimOrder {
    const now = new Date().toISOString();
    const child: SimOrder = {
      ...order,
      order_id: childOrderId,
      transaction_id: this.nextTransactionId++,
      status,
      financial_status: 'completed',
      amount,
      amount_refunded: 0,
      description,
      created: now,
      modified: now,
      payment_details: { type: order.payment_details.type },
      captureMode: null,
      related_transactions: [],
      refundedItems: new Map(),
    };
    this.orders.set(child.order_id, child);
    // The capture is listed on the authorization (schemas/RelatedTransactions.yaml type capture).
    order.related_transactions.push({
      transaction_id: child.transaction_id,
      type: 'capture',
      order_id: child.order_id,
      amount: child.amount,
      currency: child.currency,
      status: 'completed',
      description: child.description,
      created: now,
    });
    order.payment_details.capture_remain = (order.payment_details.capture_remain ?? 0) - amount;
    if (order.payment_details.capture_remain === 0) this.set(order, 'completed', 'completed');
    else order.modified = now;
    return child;
  }

  /**
   * A capture made in MultiSafepay's dashboard (manual-capture.md "How to capture an
   * authorized payment"), outside our API: the whole rest by default. It gets an order id of
   * MultiSafepay's ("Partial captures create a new transaction … with a separate order ID"), not
   * ours. A full capture completes the authorization, which is notified; after a partial one
   * "the original transaction retains its initial statuses" and only its capture_remain (and its
   * related transactions) show it: `notify` sends the authorization's notification all the same.
   */
  async captureInDashboard(
    orderId: string,
    amount?: number,
    options: { notify?: boolean } = {},
  ): Promise<SimOrder> {
    const order = this.orders.get(orderId)!;
    const remain = order.payment_details.capture_remain ?? 0;
    if (!this.awaitingCapture(order) || remain <= 0)
      throw new Error(`order ${orderId} has nothing to capture`);
    const value = amount ?? remain;
    if (!Number.isInteger(value) || value <= 0 || value > remain)
      throw new Error(`cannot capture ${value} of ${remain}`);
    const child = this.bookCapture(
      order,
      value,
      `msp-capture-${this.nextTransactionId}`,
      `Capture of ${order.order_id} in the dashboard`,
      'completed',
    );
    if (options.notify ?? order.financial_status === 'completed') await this.notify(order);
    return child;
  }

  private cancelReservation(orderId: string, body: Record<string, any>): SimResponse {
    const order = this.orders.get(orderId);
    if (!order) return mspError(404, 1006, 'Invalid transaction ID');
    if (body.status !== 'cancelled') return mspError(400, 1014, 'Unspecified error: status');
    if (!this.awaitingCapture(order))
      return mspError(400, 1014, `Unspecified error: order ${orderId} has no open authorization`);
    order.payment_details.capture_remain = 0;
    this.set(order, 'void', 'void');
    this.notifyLater(order);
    return json(200, { success: true, data: {} });
  }

  private update(order: SimOrder, body: Record<string, any>): SimResponse {
    if (body.status === 'shipped') return this.ship(order);
    if (body.status !== 'cancelled') return mspError(400, 1014, 'Unspecified error: status');
    // exclude_order is a boolean (openapi requestBody/CancelOrder.yaml: "set to true").
    if (body.exclude_order !== undefined && typeof body.exclude_order !== 'boolean')
      return mspError(400, 1014, 'Unspecified error: exclude_order must be a boolean');
    // A Klarna authorization can be cancelled before shipment: void/void (klarna.md).
    if (this.awaitingShipment(order)) {
      this.set(order, 'void', 'void');
      this.notifyLater(order);
      return json(200, { success: true, data: {} });
    }
    if (order.status !== 'initialized')
      return mspError(
        400,
        1014,
        `Unspecified error: an order with status ${order.status} cannot be cancelled`,
      );
    this.set(order, 'void', 'cancelled');
    this.notifyLater(order);
    return json(200, { success: true, data: {} });
  }

  private awaitingShipment(order: SimOrder): boolean {
    return order.status === 'completed' && order.financial_status === 'uncleared';
  }

  /**
   * Ship order (PATCH /orders/{id} status shipped, openapi requestBody/ShipOrder.yaml): a
   * Klarna order Klarna authorized (completed/uncleared) becomes shipped/uncleared, and
   * MultiSafepay collects the money from Klarna (klarna.md); see collect().
   */
  private ship(order: SimOrder): SimResponse {
    if (!this.awaitingShipment(order) && order.status !== 'shipped')
      return mspError(
        400,
        1014,
        `Unspecified error: an order with status ${order.status} cannot be shipped`,
      );
    this.set(order, 'shipped', order.financial_status);
    this.notifyLater(order);
    return json(200, { success: true, data: {} });
  }

  /** MultiSafepay has collected a shipped Klarna order from Klarna: shipped/completed. */
  async collect(orderId: string): Promise<void> {
    const order = this.orders.get(orderId)!;
    this.set(order, 'shipped', 'completed');
    await this.notify(order);
  }

  private refund(order: SimOrder, body: Record<string, any>): SimResponse {
    // MultiSafepay is booking any refund it has not shown yet; from here on it shows.
    for (const t of order.related_transactions) delete t.unbooked;
    // 1034 "Cannot refund transaction" (api/general/error-reference.md).
    if (order.payment_details.capture === 'manual')
      return mspError(
        400,
        1034,
        'Cannot refund transaction: refund the capture order of a manual-capture payment',
      );
    if (!['completed', 'shipped', 'partial_refunded'].includes(order.status))
      return mspError(400, 1034, `Cannot refund transaction: order status is ${order.status}`);
    // A BNPL order is refunded by its cart, any other by an amount (openapi
    // paths/orders@{order_id}@refunds.yaml: RefundBNPL or Refund).
    const cart =
      order.payment_details.type === 'KLARNA'
        ? cartRefundAmount(order, body, order.refundedItems)
        : undefined;
    const amount = cart ? ('cents' in cart ? cart.cents : cart) : amountRefund(order, body);
    if (typeof amount !== 'number') return mspError(400, amount.code, amount.info);
    if (typeof body.description === 'string' && characters(body.description) > 200)
      return mspError(400, 1008, 'Invalid description');
    // refund_order_id: at most 50 characters (requestBody/Refund.yaml), an order id of its own.
    const refundOrderId: unknown = body.refund_order_id;
    if (refundOrderId !== undefined) {
      if (typeof refundOrderId !== 'string' || !refundOrderId || refundOrderId.length > 50)
        return mspError(400, 1014, 'Unspecified error: invalid refund_order_id');
      if (this.orders.has(refundOrderId) || this.refundOrderTaken(refundOrderId))
        return mspError(400, 1006, 'Invalid transaction ID: refund_order_id already used');
    }
    const refunds = order.related_transactions.filter((t) => t.type === 'refund');
    // error-reference.md 1034: "If a second refund for the same amount is requested within 5
    // minutes, MultiSafepay rejects the second request to avoid double processing."
    if (
      refunds.some(
        (t) =>
          t.amount === amount &&
          !['declined', 'cancelled', 'void'].includes(t.status) &&
          this.now() - Date.parse(t.created) < DUPLICATE_REFUND_MS,
      )
    )
      return mspError(
        400,
        1034,
        'Cannot refund transaction: the same refund was requested within 5 minutes',
      );
    // Reserved refunds hold their amount until they complete or are declined.
    const open = refunds
      .filter((t) => ['initialized', 'reserved'].includes(t.status))
      .reduce((sum, t) => sum + t.amount, 0);
    if (amount > order.amount - order.amount_refunded - open)
      return mspError(
        400,
        1034,
        'Cannot refund transaction: the amount exceeds the refundable amount',
      );
    if (cart && 'quantities' in cart)
      for (const [key, quantity] of cart.quantities)
        order.refundedItems.set(key, (order.refundedItems.get(key) ?? 0) + quantity);
    const transactionId = this.nextTransactionId++;
    const ownOrderId = typeof refundOrderId === 'string' ? refundOrderId : order.order_id;
    // A refund starts reserved and is passed to the bank at midnight, then completed
    // (content/payment-management/refunds.md, payment-statuses.md): see settleRefunds.
    order.related_transactions.push({
      transaction_id: transactionId,
      type: 'refund',
      order_id: ownOrderId,
      amount,
      currency: order.currency,
      status: 'reserved',
      description: this.echoRefundDescription
        ? (body.description ?? '')
        : `Refund order ${ownOrderId} for ${SITE}`,
      created: new Date(this.now()).toISOString(),
      ...(typeof refundOrderId === 'string' ? { refund_order_id: refundOrderId } : {}),
      ...(this.bookRefundsLate ? { unbooked: true } : {}),
    });
    order.modified = new Date().toISOString();
    // transaction_id is the original order's (refund-order.md), refund_id the refund's.
    return json(200, {
      success: true,
      data: {
        order_id: order.order_id,
        transaction_id: order.transaction_id,
        ...(this.answerRefundId ? { refund_id: transactionId } : {}),
      },
    });
  }

  private refundOrderTaken(refundOrderId: string): boolean {
    for (const order of this.orders.values())
      if (order.related_transactions.some((t) => t.refund_order_id === refundOrderId)) return true;
    return false;
  }

  /**
   * MultiSafepay's midnight run: every reserved refund of the order is completed (or declined),
   * the order becomes partial_refunded / refunded for the completed ones, and it is notified.
   */
  async settleRefunds(orderId: string, outcome: 'completed' | 'declined' = 'completed') {
    const order = this.orders.get(orderId)!;
    for (const t of order.related_transactions) {
      if (t.type !== 'refund' || t.status !== 'reserved') continue;
      delete t.unbooked;
      t.status = outcome;
      if (outcome === 'completed') order.amount_refunded += t.amount;
    }
    if (outcome === 'completed') {
      const full = order.amount_refunded === order.amount;
      this.set(
        order,
        full ? 'refunded' : 'partial_refunded',
        full ? 'refunded' : 'partial_refunded',
      );
    }
    order.modified = new Date().toISOString();
    await this.notify(order);
  }

  /**
   * The customer's bank reverses the payment. payment-statuses.md shows a chargeback as
   * void/void; the OpenAPI's order status enum (schemas/Status.yaml) spells it `chargeback`.
   * It is listed on the order (schemas/RelatedTransactions.yaml type chargeback).
   */
  async chargeback(orderId: string, statuses: [string, string] = ['void', 'void']): Promise<void> {
    const order = this.orders.get(orderId)!;
    order.related_transactions.push({
      transaction_id: this.nextTransactionId++,
      type: 'chargeback',
      order_id: order.order_id,
      amount: order.amount,
      currency: order.currency,
      status: 'completed',
      description: `Chargeback for order ${order.order_id}`,
      created: new Date(this.now()).toISOString(),
    });
    this.set(order, ...statuses);
    await this.notify(order);
  }

  /**
   * The customer cancels at their bank after the order was initialized: void/void (eps.md "The
   * customer cancelled the transaction. | Void | Void"; ideal.md "Void | Void/Cancelled").
   */
  async cancelAtBank(orderId: string): Promise<void> {
    const order = this.orders.get(orderId)!;
    order.payment_details.type = order.gateway ?? 'EPS';
    this.set(order, 'void', 'void');
    await this.notify(order);
  }

  /**
   * The cardholder's authorization is voided at MultiSafepay (dashboard "Cancel Reservation", or
   * its expiry): void/void (manual-capture.md), notified.
   */
  async voidAuthorization(orderId: string): Promise<void> {
    const order = this.orders.get(orderId)!;
    order.payment_details.capture_remain = 0;
    this.set(order, 'void', 'void');
    await this.notify(order);
  }

  private async checkout(request: SimRequest, orderId: string): Promise<SimResponse> {
    const order = this.orders.get(orderId);
    if (!order) return { status: 404, body: 'unknown order' };
    if (request.method === 'GET')
      return checkoutPage(`MultiSafepay ${orderId}`, ['paid', 'failed', 'canceled', 'expired']);
    if (order.status !== 'initialized') return { status: 409, body: `order is ${order.status}` };
    const fields = formFields(request.body);
    const outcome = fields.outcome;
    if (fields.method !== undefined && !GATEWAYS.has(fields.method))
      return { status: 400, body: 'unknown gateway' };
    const next: Record<string, [string, string]> = {
      paid: ['completed', 'completed'],
      failed: ['declined', 'declined'],
      canceled: ['void', 'cancelled'],
      expired: ['expired', 'expired'],
    };
    if (!next[outcome]) return { status: 400, body: 'unknown outcome' };
    this.set(order, ...next[outcome]);
    if (outcome === 'failed') order.reason = 'Declined by the issuer';
    // The gateway the customer paid with (the requested one when the shop fixed it).
    if (['paid', 'failed'].includes(outcome))
      order.payment_details.type = order.gateway ?? fields.method ?? 'IDEAL';
    if (outcome === 'paid' && order.payment_details.type === 'KLARNA') {
      // Klarna authorized it; the money waits for the shipment (klarna.md: Completed, Uncleared).
      order.financial_status = 'uncleared';
    }
    if (outcome === 'paid' && order.captureMode === 'manual') {
      // An authorization: the order is completed, the money is not (transaction initialized).
      order.financial_status = 'initialized';
      order.payment_details = {
        type: fields.method ?? 'VISA',
        capture: 'manual',
        capture_remain: order.amount,
      };
    }
    await this.notify(order);
    return redirect(
      `${outcome === 'canceled' ? order.cancel_url : order.redirect_url}${order.redirect_url.includes('?') ? '&' : '?'}transactionid=${encodeURIComponent(order.order_id)}`,
    );
  }

  private set(order: SimOrder, status: string, financialStatus: string): void {
    order.status = status;
    order.financial_status = financialStatus;
    order.modified = new Date().toISOString();
  }

  private notifyLater(order: SimOrder): void {
    this.later(() => this.notify(order));
  }

  private async notify(order: SimOrder): Promise<void> {
    const body = JSON.stringify(this.view(order));
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha512', this.apiKey)
      .update(`${timestamp}:${body}`)
      .digest('hex');
    const url = `${order.notification_url}${order.notification_url.includes('?') ? '&' : '?'}transactionid=${encodeURIComponent(order.order_id)}&timestamp=${timestamp}`;
    await this.sendWebhook(
      url,
      {
        'content-type': 'application/json',
        auth: Buffer.from(`${timestamp}:${signature}`).toString('base64'),
      },
      body,
    );
  }
}
