/**
 * MultiSafepay's checks of an order's shopping cart, tax tables, customer and delivery. Codes
 * per api/general/error-reference.md: 1010 is only for var1–var3, so a bad tax rate is 1028, a
 * bad unit price 1031, a cart that does not add up 1027, and anything else 1014 (unspecified).
 */

export interface CartProblem {
  code: number;
  info: string;
}

const PERSON_FIELDS = new Set([
  'locale',
  'ip_address',
  'forwarded_ip',
  'first_name',
  'last_name',
  'company_name',
  'address1',
  'address2',
  'house_number',
  'zip_code',
  'city',
  'state',
  'country',
  'phone1',
  'phone2',
  'email',
  'referrer',
  'user_agent',
  'reference',
]);

/** The rate of each alternate tax table by name; `default` for items without a selector. */
function taxRates(body: any): Map<string, number> | CartProblem {
  const tables = body.checkout_options?.tax_tables;
  const rates = new Map<string, number>();
  rates.set('', Number(tables?.default?.rate ?? 0));
  for (const table of tables?.alternate ?? []) {
    const rate = table?.rules?.[0]?.rate;
    if (typeof table?.name !== 'string' || typeof rate !== 'number' || rate < 0 || rate >= 1)
      return { code: 1028, info: 'Incorrect custom tax rate' };
    rates.set(table.name, rate);
  }
  return rates;
}

/**
 * shopping_cart.items: a name, a numeric unit_price (currency units, up to 10 decimals), a
 * positive integer quantity, a merchant_item_id, a tax_table_selector naming a table; the cart
 * with its taxes must come to the order amount (1027), to the cent.
 */
export function cartProblem(body: any): CartProblem | undefined {
  for (const key of ['customer', 'delivery']) {
    const unknown = Object.keys(body[key] ?? {}).find((field) => !PERSON_FIELDS.has(field));
    if (unknown) return { code: 1014, info: `Unspecified error: unknown field ${key}.${unknown}` };
  }
  if (
    body.seconds_active !== undefined &&
    (!Number.isInteger(body.seconds_active) || body.seconds_active < 1)
  )
    return { code: 1014, info: 'Unspecified error: invalid seconds_active' };
  const items = body.shopping_cart?.items;
  if (items === undefined) return undefined;
  if (!Array.isArray(items) || items.length === 0)
    return { code: 1014, info: 'Unspecified error: invalid shopping_cart.items' };
  const rates = taxRates(body);
  if (!(rates instanceof Map)) return rates;
  let total = 0;
  for (const item of items) {
    if (typeof item.name !== 'string' || !item.name)
      return { code: 1014, info: 'Unspecified error: invalid shopping_cart.items.name' };
    if (
      typeof item.unit_price !== 'number' ||
      !/^-?\d+(\.\d{1,10})?$/.test(String(item.unit_price))
    )
      return { code: 1031, info: 'Incorrect item price' };
    if (!Number.isInteger(item.quantity) || item.quantity < 1)
      return { code: 1014, info: 'Unspecified error: invalid shopping_cart.items.quantity' };
    if (typeof item.merchant_item_id !== 'string' || !item.merchant_item_id)
      return {
        code: 1014,
        info: 'Unspecified error: invalid shopping_cart.items.merchant_item_id',
      };
    const rate = rates.get(item.tax_table_selector ?? '');
    if (rate === undefined)
      return {
        code: 1028,
        info: `Incorrect custom tax rate: no tax table ${item.tax_table_selector}`,
      };
    total += item.unit_price * item.quantity * (1 + rate);
  }
  if (Math.round(total * 100) !== body.amount) return { code: 1027, info: 'Invalid cart amount' };
  return undefined;
}
