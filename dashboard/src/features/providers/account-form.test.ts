import { describe, expect, it } from 'vitest';
import type { ProviderAccount } from '../../api/types';
import {
  createAccountBody,
  initialValues,
  updateAccountBody,
  validateAccount,
} from './account-form';
import { catalogEntry } from '../../test/provider-catalog.fixture';

const existing: ProviderAccount = {
  id: 'pa_1',
  provider: 'mollie',
  name: 'Mollie NL',
  settings: { requestTimeoutMs: 5000, profile: 'kept' },
  baseUrl: null,
  integrationIds: null,
  testMode: true,
  enabled: true,
  webhookUrl: 'https://pay.example.com/webhooks/mollie/pa_1',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

describe('provider account form', () => {
  it('requires the provider, a name and every required credential of that provider', () => {
    expect(
      validateAccount(
        {
          ...initialValues(),
          provider: 'adyen',
          name: ' ',
          credentials: { apiKey: 'k' },
        },
        catalogEntry('adyen'),
      ),
    ).toEqual({
      name: 'Give the account a name',
      'credentials.merchantAccount': 'Merchant account is required',
      'credentials.hmacKey': 'Webhook HMAC key (hex) is required',
    });
    expect(
      validateAccount({ ...initialValues(), provider: 'test', name: 'Test' }, catalogEntry('test')),
    ).toEqual({});
  });

  it('checks the request timeout and the base URL before sending', () => {
    const values = {
      ...initialValues(),
      provider: 'test',
      name: 'x',
      baseUrl: 'ftp://x',
      settings: { requestTimeoutMs: '50', failureMode: '' },
    };
    expect(validateAccount(values, catalogEntry('test'))).toEqual({
      'settings.requestTimeoutMs': 'A whole number of milliseconds from 100 to 60000',
      baseUrl: 'An absolute http(s) URL',
    });
  });

  it('sends a whole account on create, with credentials by their contract names', () => {
    const values = {
      ...initialValues(),
      provider: 'mollie',
      name: ' Mollie NL ',
      credentials: { apiKey: ' test_abc ' },
      settings: { requestTimeoutMs: '8000', failureMode: '' },
    };
    expect(createAccountBody(values, catalogEntry('mollie'))).toEqual({
      provider: 'mollie',
      name: 'Mollie NL',
      testMode: true,
      enabled: true,
      credentials: { apiKey: 'test_abc' },
      settings: { requestTimeoutMs: 8000 },
    });
  });

  it('sends only what changed on edit, keeps other settings, and leaves write-only credentials alone unless replaced', () => {
    const values = { ...initialValues(existing), name: 'Mollie NL 2' };
    expect(values.replaceCredentials).toBe(false);
    expect(updateAccountBody(values, existing, catalogEntry('mollie'))).toEqual({
      name: 'Mollie NL 2',
    });
    expect(
      updateAccountBody(
        { ...values, settings: { requestTimeoutMs: '', failureMode: '' } },
        existing,
        catalogEntry('mollie'),
      ),
    ).toEqual({
      name: 'Mollie NL 2',
      settings: { profile: 'kept' },
    });
    expect(
      updateAccountBody(
        { ...initialValues(existing), replaceCredentials: true, credentials: { apiKey: 'live_x' } },
        existing,
        catalogEntry('mollie'),
      ),
    ).toEqual({
      credentials: { apiKey: 'live_x' },
    });
  });
});
