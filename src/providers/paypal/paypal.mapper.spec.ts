import { mapPspStatus } from '../connector/psp-status';
import {
  PAYPAL_AUTHORIZATION_STATUS_MAP,
  PAYPAL_CAPTURE_STATUS_MAP,
  PAYPAL_EVENT_MAP,
  PAYPAL_ORDER_STATUS_MAP,
  PAYPAL_REFUND_STATUS_MAP,
  paypalError,
} from './paypal.mapper';

const response = (status: number, body: unknown) => ({
  status,
  text: JSON.stringify(body),
  headers: new Headers(),
  json: () => body as any,
});

describe('PayPal mapping', () => {
  it.each([
    ['CREATED', 'pending'],
    ['SAVED', 'pending'],
    ['PAYER_ACTION_REQUIRED', 'pending'],
    ['APPROVED', 'pending'],
    ['VOIDED', 'canceled'],
    ['COMPLETED', 'payments'],
  ])('order %s → %s', (paypal, ours) => {
    expect(mapPspStatus(PAYPAL_ORDER_STATUS_MAP, paypal)).toBe(ours);
  });

  it.each([
    ['COMPLETED', 'paid'],
    ['PARTIALLY_REFUNDED', 'paid'],
    ['REFUNDED', 'paid'],
    ['PENDING', 'pending'],
    ['DECLINED', 'failed'],
    ['FAILED', 'failed'],
  ])('capture %s → %s', (paypal, ours) => {
    expect(mapPspStatus(PAYPAL_CAPTURE_STATUS_MAP, paypal)).toBe(ours);
  });

  it.each([
    ['CREATED', 'authorized'],
    ['PENDING', 'pending'],
    ['CAPTURED', 'paid'],
    ['PARTIALLY_CAPTURED', 'paid'],
    ['VOIDED', 'canceled'],
    ['DENIED', 'failed'],
    ['EXPIRED', 'expired'],
  ])('authorization %s → %s', (paypal, ours) => {
    expect(mapPspStatus(PAYPAL_AUTHORIZATION_STATUS_MAP, paypal)).toBe(ours);
  });

  it.each([
    ['COMPLETED', 'succeeded'],
    ['PENDING', 'pending'],
    ['FAILED', 'failed'],
    ['CANCELLED', 'failed'],
  ])('refund %s → %s', (paypal, ours) => {
    expect(mapPspStatus(PAYPAL_REFUND_STATUS_MAP, paypal)).toBe(ours);
  });

  it.each([
    ['CHECKOUT.ORDER.APPROVED', 'order'],
    ['CHECKOUT.ORDER.COMPLETED', 'order'],
    ['PAYMENT.CAPTURE.COMPLETED', 'capture'],
    ['PAYMENT.CAPTURE.PENDING', 'capture'],
    ['PAYMENT.CAPTURE.DECLINED', 'capture'],
    ['PAYMENT.CAPTURE.DENIED', 'capture'],
    ['PAYMENT.CAPTURE.REFUNDED', 'refund'],
    ['PAYMENT.CAPTURE.REVERSED', 'reversal'],
    ['PAYMENT.AUTHORIZATION.CREATED', 'authorization'],
    ['PAYMENT.AUTHORIZATION.VOIDED', 'authorization'],
  ])('event %s → %s', (type, kind) => {
    expect(PAYPAL_EVENT_MAP[type]).toBe(kind);
  });

  it('has exactly the tested rows; unknown statuses and events stay unmapped', () => {
    expect(Object.keys(PAYPAL_ORDER_STATUS_MAP)).toHaveLength(6);
    expect(Object.keys(PAYPAL_CAPTURE_STATUS_MAP)).toHaveLength(6);
    expect(Object.keys(PAYPAL_AUTHORIZATION_STATUS_MAP)).toHaveLength(7);
    expect(Object.keys(PAYPAL_REFUND_STATUS_MAP)).toHaveLength(4);
    expect(Object.keys(PAYPAL_EVENT_MAP)).toHaveLength(10);
    expect(mapPspStatus(PAYPAL_ORDER_STATUS_MAP, 'SOMETHING_NEW')).toBeUndefined();
    // Not a property of Object.prototype either.
    expect(mapPspStatus(PAYPAL_ORDER_STATUS_MAP, 'constructor')).toBeUndefined();
    expect(PAYPAL_EVENT_MAP['CUSTOMER.DISPUTE.CREATED']).toBeUndefined();
  });

  describe('errors', () => {
    type ErrorRow = [number, unknown, string, boolean, string | undefined];
    it.each<ErrorRow>([
      [
        422,
        { name: 'UNPROCESSABLE_ENTITY', details: [{ issue: 'INSTRUMENT_DECLINED' }] },
        'declined',
        false,
        'INSTRUMENT_DECLINED',
      ],
      [
        422,
        { name: 'UNPROCESSABLE_ENTITY', details: [{ issue: 'TRANSACTION_REFUSED' }] },
        'declined',
        false,
        'TRANSACTION_REFUSED',
      ],
      [
        422,
        { name: 'UNPROCESSABLE_ENTITY', details: [{ issue: 'ORDER_NOT_APPROVED' }] },
        'invalid_request',
        false,
        'ORDER_NOT_APPROVED',
      ],
      [
        400,
        { name: 'INVALID_REQUEST', details: [{ issue: 'MISSING_REQUIRED_PARAMETER' }] },
        'invalid_request',
        false,
        'MISSING_REQUIRED_PARAMETER',
      ],
      [
        401,
        { error: 'invalid_client', error_description: 'Client Authentication failed' },
        'invalid_credentials',
        false,
        undefined,
      ],
      [
        404,
        { name: 'RESOURCE_NOT_FOUND', details: [{ issue: 'INVALID_RESOURCE_ID' }] },
        'not_found',
        false,
        'INVALID_RESOURCE_ID',
      ],
      ...[
        'PAYER_ACCOUNT_RESTRICTED',
        'PAYER_ACCOUNT_LOCKED_OR_CLOSED',
        'TRANSACTION_BLOCKED_BY_PAYEE',
        'TRANSACTION_LIMIT_EXCEEDED',
        'TRANSACTION_RECEIVING_LIMIT_EXCEEDED',
        'DECLINED_DUE_TO_RELATED_TXN',
        'REDIRECT_PAYER_FOR_ALTERNATE_FUNDING',
      ].map((issue): ErrorRow => [
        422,
        { name: 'UNPROCESSABLE_ENTITY', details: [{ issue }] },
        'declined',
        false,
        issue,
      ]),
      // "Already done" (perhaps by our own earlier request): no refusal, the core looks it up.
      ...['DUPLICATE_INVOICE_ID', 'AUTHORIZATION_ALREADY_CAPTURED', 'PREVIOUSLY_VOIDED'].map(
        (issue): ErrorRow => [
          422,
          { name: 'UNPROCESSABLE_ENTITY', details: [{ issue }] },
          'in_progress',
          true,
          issue,
        ],
      ),
      [
        422,
        { name: 'UNPROCESSABLE_ENTITY', details: [{ issue: 'PREVIOUSLY_CAPTURED' }] },
        'invalid_request',
        false,
        'PREVIOUSLY_CAPTURED',
      ],
      [
        409,
        { name: 'RESOURCE_CONFLICT', details: [{ issue: 'PREVIOUS_REQUEST_IN_PROGRESS' }] },
        'in_progress',
        true,
        'PREVIOUS_REQUEST_IN_PROGRESS',
      ],
      [429, { name: 'RATE_LIMIT_REACHED' }, 'rate_limited', true, undefined],
      [503, { name: 'SERVICE_UNAVAILABLE' }, 'provider_unavailable', true, undefined],
    ])('HTTP %d %j → %s (retryable %s)', (status, body, code, retryable, issue) => {
      const error = paypalError(response(status, body));
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(retryable);
      expect(error.issue).toBe(issue);
      expect(error.message).toMatch(/^PayPal: /);
    });
  });
});
