/** An order of 24.95 EUR: 2 × 10.00 (21% VAT included) + 5.95 shipping − 1.00 discount. */
export const LINES = [
  {
    type: 'physical',
    name: 'LEGO 4440 Forest Police Station',
    quantity: 2,
    unitPrice: { value: 1000, currency: 'EUR' },
    totalAmount: { value: 2000, currency: 'EUR' },
    vatRate: '21.00',
    vatAmount: { value: 347, currency: 'EUR' },
    sku: '5702016116977',
  },
  {
    type: 'shipping_fee',
    name: 'Shipping',
    quantity: 1,
    unitPrice: { value: 595, currency: 'EUR' },
    totalAmount: { value: 595, currency: 'EUR' },
  },
  {
    type: 'discount',
    name: 'Welcome discount',
    quantity: 1,
    unitPrice: { value: -100, currency: 'EUR' },
    totalAmount: { value: -100, currency: 'EUR' },
  },
];

export const ORDER_AMOUNT = { value: 2495, currency: 'EUR' };

export const ADDRESS = {
  givenName: 'Jane',
  familyName: 'Doe',
  email: 'jane@example.com',
  phone: '+31208202070',
  streetAndNumber: 'Keizersgracht 126',
  postalCode: '1015 CW',
  city: 'Amsterdam',
  country: 'NL',
};
