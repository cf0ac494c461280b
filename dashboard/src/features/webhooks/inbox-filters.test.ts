import { describe, expect, it } from 'vitest';
import {
  inboxApiQuery,
  inboxFiltersFromSearch,
  inboxFiltersToSearch,
  prettyBody,
  replayExplanation,
  replayOutcome,
  validateInboxFilters,
} from './inbox-filters';

describe('provider webhook inbox filters', () => {
  it('keeps the filters in the URL and sends only those set, with the page cursor', () => {
    const filters = inboxFiltersFromSearch(
      new URLSearchParams('status=dead&paymentId=%20pay_1%20&other=x'),
    );
    expect(filters).toEqual({ providerAccountId: '', status: 'dead', paymentId: 'pay_1' });
    expect(inboxFiltersToSearch(filters).toString()).toBe('status=dead&paymentId=pay_1');
    expect(inboxApiQuery(filters, 'c2', 25)).toEqual({
      limit: 25,
      cursor: 'c2',
      status: 'dead',
      paymentId: 'pay_1',
    });
    expect(inboxApiQuery({ providerAccountId: 'pa_1', status: '', paymentId: '' })).toEqual({
      limit: 25,
      providerAccountId: 'pa_1',
    });
  });

  it('drops a status the server does not know instead of sending it', () => {
    expect(inboxApiQuery({ providerAccountId: '', status: 'weird', paymentId: '' })).toEqual({
      limit: 25,
    });
  });

  it('refuses a payment id that is not one before any request', () => {
    expect(
      validateInboxFilters({ providerAccountId: '', status: '', paymentId: 'order-1' }),
    ).toEqual({ paymentId: 'A payment id starts with pay_' });
    expect(
      validateInboxFilters({ providerAccountId: '', status: '', paymentId: 'pay_x1' }),
    ).toEqual({});
  });

  it('indents a JSON body and leaves any other body as received', () => {
    expect(prettyBody('{"a":{"b":"[REDACTED]"}}')).toBe(
      '{\n  "a": {\n    "b": "[REDACTED]"\n  }\n}',
    );
    expect(prettyBody('id=tr_123')).toBe('id=tr_123');
  });

  it('says what a replay does and how the webhook is afterwards', () => {
    expect(replayExplanation({ status: 'dead', verified: true })).toContain(
      'Its signed fields are checked again',
    );
    expect(replayExplanation({ status: 'processed', verified: false })).toContain(
      "the payment's state is fetched from the provider again",
    );
    expect(replayOutcome({ id: 'whk_1', status: 'processed', error: null })).toEqual({
      ok: true,
      message: 'Replayed whk_1: processed.',
    });
    expect(replayOutcome({ id: 'whk_1', status: 'failed', error: 'Mollie: HTTP 503' })).toEqual({
      ok: false,
      message: 'Replayed whk_1: still failed (Mollie: HTTP 503).',
    });
  });
});
