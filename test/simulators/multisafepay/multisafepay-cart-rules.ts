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
  // The request field is `phone` (openapi schemas/Customer.yaml, Delivery.yaml); `phone1` and
  // `phone2` are only in MultiSafepay's answers.
  'phone',
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

/** A JSON number's decimal digits as an integer scaled by 10^places, exactly; undefined if it has more. */
function scaled(value: unknown, places: number): bigint | undefined {
  const match = typeof value === 'number' ? /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(value)) : null;
  if (!match || (match[3] ?? '').length > places) return undefined;
  const digits = BigInt(match[2] + (match[3] ?? '').padEnd(places, '0'));
  return match[1] ? -digits : digits;
}

/** The fields by which a cart item of the order is recognised in a refund's checkout_data. */
const itemKey = (item: any) =>
  JSON.stringify([
    item?.name,
    item?.unit_price,
    item?.quantity,
    item?.merchant_item_id,
    item?.tax_table_selector,
  ]);

/** What makes a refunded item a duplicate of an order's item (pay-later-refund.md: "the exact same"). */
export const refundedItemKey = (item: any) =>
  JSON.stringify([item?.merchant_item_id, item?.tax_table_selector, item?.unit_price]);

/**
 * A BNPL refund (openapi requestBody/RefundBNPL.yaml, klarna.md "Via the API"):
 * `checkout_data.items` must hold every item of the order's cart, and the items beyond those
 * are what is refunded: each a duplicate of one of the order's items ("provide the exact same
 * `merchant_item_id`, `tax_table_selector`, and `unit_price`", old API reference
 * pay-later-refund.md) with a negative `quantity`, never more of it than was bought and not yet
 * refunded (`refunded`, by refundedItemKey). A negative `unit_price` "cancels the order" there:
 * refused here. The refund amount in cents is their sum with tax, worked out exactly; an
 * `amount` sent along must equal it. Returns it with the quantities refunded.
 */
export function cartRefundAmount(
  order: any,
  body: any,
  refunded: ReadonlyMap<string, number>,
): { cents: number; quantities: Map<string, number> } | CartProblem {
  const items = body.checkout_data?.items;
  if (!Array.isArray(items) || items.length === 0)
    return {
      code: 1016,
      info: 'Missing data: checkout_data.items (a BNPL order is refunded by its cart)',
    };
  const originals: any[] = order.shopping_cart?.items ?? [];
  const rest = [...items];
  for (const original of originals) {
    const at = rest.findIndex((item) => itemKey(item) === itemKey(original));
    if (at < 0)
      return {
        code: 1014,
        info: `Unspecified error: checkout_data lacks the order's item ${original.merchant_item_id}`,
      };
    rest.splice(at, 1);
  }
  if (rest.length === 0)
    return { code: 1014, info: 'Unspecified error: checkout_data refunds no item' };
  const rates = taxRates(order);
  if (!(rates instanceof Map)) return rates;
  const bought = new Map<string, number>();
  for (const original of originals)
    bought.set(
      refundedItemKey(original),
      (bought.get(refundedItemKey(original)) ?? 0) + original.quantity,
    );
  const quantities = new Map<string, number>();
  // unit_price has up to 10 decimals and a rate up to 6: the sum is in 10^-16 currency units.
  let sum = 0n;
  for (const item of rest) {
    const key = refundedItemKey(item);
    if (!bought.has(key))
      return {
        code: 1014,
        info: `Unspecified error: refunded item ${item.merchant_item_id} is not a duplicate of an item of the order (same merchant_item_id, tax_table_selector and unit_price, negative quantity); a negative unit_price cancels the order`,
      };
    if (!Number.isInteger(item.quantity) || item.quantity >= 0)
      return {
        code: 1014,
        info: 'Unspecified error: a refunded item has a negative quantity',
      };
    quantities.set(key, (quantities.get(key) ?? 0) - item.quantity);
    const price = scaled(item.unit_price, 10);
    if (price === undefined) return { code: 1031, info: 'Incorrect item price' };
    const rate = scaled(rates.get(item.tax_table_selector ?? ''), 6);
    if (rate === undefined)
      return {
        code: 1028,
        info: `Incorrect custom tax rate: no tax table ${item.tax_table_selector}`,
      };
    sum += price * BigInt(item.quantity) * (10n ** 6n + rate);
  }
  for (const [key, quantity] of quantities)
    if (quantity + (refunded.get(key) ?? 0) > bought.get(key)!)
      return {
        code: 1034,
        info: 'Cannot refund transaction: more of an item than the order has left',
      };
  const unit = 10n ** 14n; // one cent in 10^-16 units
  if (-sum <= 0n)
    return { code: 1014, info: 'Unspecified error: the refunded items come to nothing' };
  const cents = Number((-sum + unit / 2n) / unit);
  if (body.amount !== undefined && body.amount !== cents)
    return {
      code: 1027,
      info: 'Invalid cart amount: the refunded items do not come to the amount',
    };
  return { cents, quantities };
}
