import { createHmac } from 'node:crypto';
import { mapPspStatus } from '../connector/psp-status';
import {
  capturedByRemain,
  isAwaitingCapture,
  MULTISAFEPAY_STATUS_MAP,
  multisafepayError,
  showsCapture,
  multisafepayOrderState,
  isAwaitingShipment,
  multisafepayShipmentState,
  ourRefundId,
  toMultisafepayLocale,
  truncateText,
} from './multisafepay.mapper';
import { multisafepayAuthHeader } from './multisafepay.webhooks';
import { isRefusal } from '../../payments/operations/provider-outcome';

describe('MultiSafepay status mapping', () => {
  it.each([
    ['initialized', 'pending'],
    ['uncleared', 'pending'],
    ['completed', 'paid'],
    ['shipped', 'paid'],
    ['declined', 'failed'],
    ['cancelled', 'canceled'],
    ['void', 'canceled'],
    ['expired', 'expired'],
    ['partial_refunded', 'partially_refunded'],
    ['refunded', 'refunded'],
    ['chargeback', 'charged_back'],
    ['chargedback', 'charged_back'],
  ])('order status %s is %s', (msp, ours) => {
    expect(mapPspStatus(MULTISAFEPAY_STATUS_MAP, msp)).toBe(ours);
    expect(
      multisafepayOrderState({ order_id: 'o1', status: msp, amount: 1050, currency: 'EUR' }).status,
    ).toBe(ours);
  });

  it('completed/initialized/manual (a card authorization awaiting capture) is authorized', () => {
    const order = {
      order_id: 'o1',
      status: 'completed',
      financial_status: 'initialized',
      amount: 1050,
      currency: 'EUR',
      payment_details: { capture: 'manual', capture_remain: 1050 },
    };
    expect(mapPspStatus(MULTISAFEPAY_STATUS_MAP, 'completed/initialized/manual')).toBe(
      'authorized',
    );
    expect(multisafepayOrderState(order).status).toBe('authorized');
    expect(multisafepayOrderState({ ...order, financial_status: 'completed' }).status).toBe('paid');
  });

  describe('a manual-capture order captured outside our API (capture_remain)', () => {
    const authorization = {
      order_id: 'o1',
      status: 'completed',
      financial_status: 'initialized',
      amount: 1050,
      currency: 'EUR',
      payment_details: { type: 'VISA', capture: 'manual', capture_remain: 1050 },
    };
    const withRemain = (capture_remain: unknown, extra: object = {}) => ({
      ...authorization,
      ...extra,
      payment_details: {
        ...authorization.payment_details,
        capture_remain: capture_remain as number,
      },
    });

    it.each([
      [
        'nothing captured (capture_remain = amount)',
        1050,
        'completed/initialized',
        'authorized',
        undefined,
      ],
      [
        'a partial capture, statuses unchanged (manual-capture.md)',
        350,
        'completed/initialized',
        'paid',
        700,
      ],
      ['a full capture, transaction still initialized', 0, 'completed/initialized', 'paid', 1050],
      ['a full capture, transaction completed', 0, 'completed/completed', 'paid', 1050],
    ])('%s is %s', (_label, remain, statuses, status, captured) => {
      const [orderStatus, financial] = statuses.split('/');
      const order = withRemain(remain, { status: orderStatus, financial_status: financial });
      expect(multisafepayOrderState(order)).toMatchObject({ status, amountCaptured: captured });
      expect(isAwaitingCapture(order)).toBe(status === 'authorized');
      expect(showsCapture(order)).toBe(status === 'paid');
    });

    it.each([
      ['no capture_remain', undefined],
      ['a capture_remain above the amount', 2000],
      ['a negative capture_remain', -1],
      ['a fractional capture_remain', 10.5],
      ['a capture_remain as text', '0'],
    ])('%s shows no capture: still authorized', (_label, remain) => {
      const order = withRemain(remain);
      expect(capturedByRemain(order)).toBeUndefined();
      expect(multisafepayOrderState(order).status).toBe('authorized');
    });

    it('a capture among its related transactions shows a capture though capture_remain does not', () => {
      const order = withRemain(1050, {
        related_transactions: [
          { transaction_id: 9, amount: 700, status: 'completed', type: 'capture' },
        ],
      });
      expect(showsCapture(order)).toBe(true);
      // How much is not known from capture_remain: no captured amount is claimed.
      expect(multisafepayOrderState(order).status).toBe('authorized');
    });

    it('capture_remain 0 of a voided authorization (released or expired) is no capture', () => {
      const order = withRemain(0, { status: 'void', financial_status: 'void' });
      expect(capturedByRemain(order)).toBeUndefined();
      expect(showsCapture(order)).toBe(false);
      expect(multisafepayOrderState(order).status).toBe('canceled');
    });

    it('capture_remain of an order without manual capture is not read', () => {
      const order = {
        ...withRemain(0),
        financial_status: 'completed',
        payment_details: { type: 'VISA', capture_remain: 0 },
      };
      expect(capturedByRemain(order)).toBeUndefined();
      expect(multisafepayOrderState(order)).toMatchObject({ status: 'paid', amountCaptured: 1050 });
    });
  });

  it('void/void is a chargeback when the order shows one, else a cancellation', () => {
    const order = {
      order_id: 'o1',
      status: 'void',
      financial_status: 'void',
      amount: 1050,
      currency: 'EUR',
      payment_details: { type: 'VISA' },
    };
    const chargeback = {
      transaction_id: 9,
      amount: 1050,
      status: 'completed',
      type: 'chargeback',
    };
    expect(mapPspStatus(MULTISAFEPAY_STATUS_MAP, 'void/void')).toBe('charged_back');
    expect(multisafepayOrderState({ ...order, related_transactions: [chargeback] })).toMatchObject({
      status: 'charged_back',
      providerStatus: 'void/void',
    });
    // A customer's cancellation (ideal.md, eps.md: "The customer cancelled … Void | Void").
    for (const type of ['IDEAL', 'EPS', 'VISA'])
      expect(
        multisafepayOrderState({ ...order, payment_details: { type }, related_transactions: [] }),
      ).toMatchObject({ status: 'canceled', providerStatus: 'void/void' });
    expect(multisafepayOrderState({ ...order, related_transactions: null }).status).toBe(
      'canceled',
    );
    expect(
      multisafepayOrderState({
        ...order,
        payment_details: { capture: 'manual', capture_remain: 0 },
      }).status,
    ).toBe('canceled');
    expect(multisafepayOrderState({ ...order, financial_status: 'cancelled' }).status).toBe(
      'canceled',
    );
  });

  it('a voided authorization that shows a capture says nothing about the payment (null)', () => {
    const released = {
      order_id: 'o1',
      status: 'void',
      financial_status: 'void',
      amount: 1050,
      currency: 'EUR',
      payment_details: { type: 'VISA', capture: 'manual', capture_remain: 0 },
    };
    const capture = {
      transaction_id: 9,
      amount: 700,
      status: 'completed',
      type: 'capture',
      order_id: 'o1-capture',
    };
    expect(multisafepayOrderState({ ...released, related_transactions: [capture] })).toMatchObject({
      status: null,
      providerStatus: 'void/void',
      amountCaptured: undefined,
    });
    // Part of it captured, the rest not yet released, then expired.
    expect(
      multisafepayOrderState({
        ...released,
        payment_details: { ...released.payment_details, capture_remain: 350 },
      }).status,
    ).toBeNull();
    // Nothing captured: a cancellation (manual-capture.md "Full cancel reservation").
    expect(multisafepayOrderState({ ...released, related_transactions: [] }).status).toBe(
      'canceled',
    );
  });

  it('Klarna: completed/uncleared is authorized (awaiting shipment), shipped is paid, void/void canceled', () => {
    const order = {
      order_id: 'o1',
      status: 'completed',
      financial_status: 'uncleared',
      amount: 2495,
      currency: 'EUR',
      payment_details: { type: 'KLARNA' },
    };
    expect(mapPspStatus(MULTISAFEPAY_STATUS_MAP, 'completed/uncleared')).toBe('authorized');
    expect(multisafepayOrderState(order)).toMatchObject({
      status: 'authorized',
      amountCaptured: undefined,
    });
    expect(multisafepayOrderState({ ...order, status: 'shipped' })).toMatchObject({
      status: 'paid',
      amountCaptured: 2495,
    });
    expect(
      multisafepayOrderState({ ...order, status: 'void', financial_status: 'void' }).status,
    ).toBe('canceled');
    expect(multisafepayShipmentState(order)).toBeNull();
    expect(multisafepayShipmentState({ ...order, status: 'shipped' })).toMatchObject({
      status: 'succeeded',
      amountCaptured: 2495,
    });
    expect(multisafepayShipmentState({ ...order, status: 'expired' })?.status).toBe('failed');
  });

  it('completed/uncleared of another method is not awaiting shipment (in3.md: settlement guaranteed)', () => {
    const order = {
      order_id: 'o1',
      status: 'completed',
      financial_status: 'uncleared',
      amount: 2495,
      currency: 'EUR',
    };
    expect(isAwaitingShipment({ ...order, payment_details: { type: 'KLARNA' } })).toBe(true);
    for (const details of [{ type: 'IN3' }, { type: 'MBWAY' }, null]) {
      expect(isAwaitingShipment({ ...order, payment_details: details })).toBe(false);
      expect(multisafepayOrderState({ ...order, payment_details: details }).status).toBe('paid');
    }
  });

  it('covers every row of the table with a test', () => {
    expect(Object.keys(MULTISAFEPAY_STATUS_MAP)).toHaveLength(15);
  });

  it('ignores an unknown status (null) and keeps both statuses for the record', () => {
    expect(
      multisafepayOrderState({
        order_id: 'o1',
        status: 'reserved',
        financial_status: 'reserved',
        amount: 1,
        currency: 'EUR',
      }),
    ).toMatchObject({ status: null, providerStatus: 'reserved/reserved' });
  });

  it('carries the decline reason', () => {
    expect(
      multisafepayOrderState({
        order_id: 'o1',
        status: 'declined',
        reason: 'Declined by the issuer',
        amount: 1,
        currency: 'EUR',
      }).failure,
    ).toEqual({ code: 'provider_failed', message: 'Declined by the issuer' });
  });

  it.each([
    ['nl-NL', 'nl_NL'],
    ['en_GB', 'en_GB'],
    ['nl', undefined],
  ])('locale %s is %s', (ours, msp) => {
    expect(toMultisafepayLocale(ours)).toBe(msp);
  });
});

describe('MultiSafepay notification Auth header', () => {
  it('is base64("timestamp:" + hex HMAC-SHA512(api key, "timestamp:body"))', () => {
    const header = multisafepayAuthHeader('key123', 1700000000, '{"a":1}');
    const [timestamp, signature] = Buffer.from(header, 'base64').toString('utf8').split(':');
    expect(timestamp).toBe('1700000000');
    expect(signature).toBe(
      createHmac('sha512', 'key123').update('1700000000:{"a":1}').digest('hex'),
    );
  });
});

describe('MultiSafepay errors', () => {
  const answer = (status: number, code: number) =>
    multisafepayError({
      status,
      headers: {},
      text: JSON.stringify({ success: false, data: {}, error_code: code, error_info: 'x' }),
    } as never);

  // error-reference.md: 1000 and 9999 "Unknown error", 1014 "Unspecified error", 1033 "Error
  // fetching refund information": no answer, whatever the HTTP status.
  it.each(
    [1000, 1014, 1033, 9999].flatMap((code) =>
      [200, 400, 401, 404, 422, 500].map((status) => [status, code]),
    ),
  )('HTTP %s with error %s is unknown: retryable, never a refusal', (status, code) => {
    const error = answer(status, code);
    expect(error).toMatchObject({ code: 'provider_unavailable', retryable: true });
    expect(isRefusal(error)).toBe(false);
    expect(error.message).toContain(String(code));
  });

  // Input validation (error-reference.md): 1001 amount, 1002 currency, 1008 description, 1016
  // missing data, 1027 cart ≠ amount, 1028 tax table rate, 1029 item tax rate, 1030 item
  // currency, 1031 item price.
  it.each(
    [1001, 1002, 1008, 1016, 1027, 1028, 1029, 1030, 1031].flatMap((code) =>
      [200, 400, 404, 422].map((status) => [status, code]),
    ),
  )('HTTP %s with error %s is a definite invalid_request', (status, code) => {
    const error = answer(status, code);
    expect(error).toMatchObject({ code: 'invalid_request', retryable: false });
    expect(isRefusal(error)).toBe(true);
  });

  it.each([
    [500, 1001, 'provider_unavailable'],
    [503, 1027, 'provider_unavailable'],
    [429, 1016, 'rate_limited'],
    [409, 1001, 'in_progress'],
  ])('HTTP %s with validation error %s keeps what the status says: %s', (status, code, ours) => {
    const error = answer(status, code);
    expect(error.code).toBe(ours);
    expect(isRefusal(error)).toBe(false);
  });

  it.each([
    [200, 1010, 'provider_error'],
    [200, 1023, 'provider_error'],
    [400, 1010, 'invalid_request'],
    [400, 1023, 'invalid_request'],
    [400, 5001, 'invalid_request'],
    [200, 1024, 'declined'],
  ])('HTTP %s with error %s is, as before, %s', (status, code, ours) => {
    expect(answer(status, code).code).toBe(ours);
  });

  it.each([
    [400, 1005, 'invalid_credentials', false],
    [401, 1032, 'invalid_credentials', false],
    [404, 1006, 'not_found', false],
    [400, 1006, 'invalid_request', false],
    [400, 1024, 'declined', false],
    [400, 1034, 'declined', false],
    [400, 1008, 'invalid_request', false],
    [503, 1000, 'provider_unavailable', true],
    [400, 1000, 'provider_unavailable', true],
  ])('HTTP %s with error %s is %s', (status, code, ours, retryable) => {
    const error = answer(status, code);
    expect(error).toMatchObject({ code: ours, retryable });
    expect(error.message).toContain(String(code));
  });
});

describe('MultiSafepay text limits', () => {
  it('keeps text within the limit as it is', () => {
    expect(truncateText('Order #1042', 200)).toBe('Order #1042');
    expect(truncateText('d'.repeat(200), 200)).toBe('d'.repeat(200));
  });

  it('cuts to the limit', () => {
    expect(truncateText('d'.repeat(255), 200)).toBe('d'.repeat(200));
    expect(truncateText('r'.repeat(128), 100)).toBe('r'.repeat(100));
  });

  it('never splits a surrogate pair', () => {
    const cut = truncateText('a' + '😀'.repeat(150), 200);
    expect(cut).toBe('a' + '😀'.repeat(99));
    expect(cut.length).toBe(199);
    expect(truncateText('😀'.repeat(150), 200)).toBe('😀'.repeat(100));
  });
});

describe('our refund id of a refund transaction', () => {
  it.each([
    ['re_mx95wifzlnQXW8Xwn7qpRbsR refund', 're_mx95wifzlnQXW8Xwn7qpRbsR'],
    ['re_mx95wifzlnQXW8Xwn7qpRbsR', 're_mx95wifzlnQXW8Xwn7qpRbsR'],
    ['Refund from the dashboard', undefined],
    ['re_abc-def', undefined],
    [undefined, undefined],
  ])('description %s names %s', (description, id) => {
    expect(ourRefundId({ description })).toBe(id);
  });

  it('is its refund_order_id first, whatever MultiSafepay wrote as its description', () => {
    expect(
      ourRefundId({
        refund_order_id: 're_mx95wifzlnQXW8Xwn7qpRbsR',
        description: 'Refund order re_mx95wifzlnQXW8Xwn7qpRbsR for Shop',
      }),
    ).toBe('re_mx95wifzlnQXW8Xwn7qpRbsR');
    expect(ourRefundId({ refund_order_id: 'pay_1', description: 'Refund order pay_1' })).toBe(
      undefined,
    );
  });
});
