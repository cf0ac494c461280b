import { describe, expect, it } from 'vitest';
import { EMPTY_SIMULATION, simulateBody, simulateField } from './simulate-form';

describe('the simulate box', () => {
  it('sends the amount in minor units, the customer and the method, with stand-ins for the rest', () => {
    expect(
      simulateBody({
        ...EMPTY_SIMULATION,
        integrationId: 'int_1',
        amount: '25,5',
        country: 'nl',
        method: 'ideal',
        email: ' jane@example.com ',
      }).body,
    ).toEqual({
      integrationId: 'int_1',
      amount: { value: 2550, currency: 'EUR' },
      description: 'Routing simulation',
      reference: 'simulation',
      returnUrl: 'https://example.com/return',
      method: 'ideal',
      customer: { email: 'jane@example.com', country: 'NL' },
    });
  });

  it('names each bad field before any request', () => {
    expect(
      simulateBody({ ...EMPTY_SIMULATION, currency: 'JPY', amount: '10,5', country: 'NLD' }),
    ).toEqual({
      body: null,
      errors: {
        integrationId: 'Choose the integration whose routing to try',
        amount: 'JPY has no minor unit: enter a whole amount',
        country: 'Two letters (ISO 3166-1), e.g. NL',
      },
    });
  });

  it("puts the server's field errors under the box's fields", () => {
    expect(simulateField('amount.value')).toBe('amount');
    expect(simulateField('customer.country')).toBe('country');
    expect(simulateField('integrationId')).toBe('integrationId');
    expect(simulateField('returnUrl')).toBeUndefined();
  });
});
