/** PayPal's business checks of a purchase unit's items and amount breakdown (Orders v2). */

interface Money {
  currency_code: string;
  value: string;
}

export interface BreakdownIssue {
  issue: string;
  field: string;
  value?: string;
  description: string;
}

const WHOLE_UNITS = new Set(['JPY', 'HUF', 'TWD']);

function minor(amount: Money): number {
  const [whole, fraction = ''] = amount.value.split('.');
  return Number(whole + fraction.padEnd(WHOLE_UNITS.has(amount.currency_code) ? 0 : 2, '0'));
}

function precise(amount: Money): boolean {
  const decimals = amount.value.split('.')[1]?.length ?? 0;
  return WHOLE_UNITS.has(amount.currency_code) ? !amount.value.includes('.') : decimals <= 2;
}

/**
 * What PayPal answers 422 for: items without `breakdown.item_total` (ITEM_TOTAL_REQUIRED), an
 * item_total that is not Σ unit_amount × quantity (ITEM_TOTAL_MISMATCH), a tax on items without
 * tax_total (TAX_TOTAL_REQUIRED) or not adding up (TAX_TOTAL_MISMATCH), an amount that is not
 * item_total + tax_total + shipping + handling + insurance − shipping_discount − discount
 * (AMOUNT_MISMATCH), other currencies (CURRENCY_MISMATCH) and too many decimals.
 */
export function breakdownIssue(unit: any): BreakdownIssue | undefined {
  const at = `/purchase_units/@reference_id=='${unit.reference_id ?? 'default'}'`;
  const amount: Money = unit.amount;
  const breakdown: Record<string, Money> | undefined = unit.amount.breakdown;
  const items: any[] | undefined = unit.items;
  const moneys: [string, Money][] = [
    ...Object.entries(breakdown ?? {}).map(
      ([key, money]) => [`${at}/amount/breakdown/${key}`, money] as [string, Money],
    ),
    ...(items ?? []).flatMap((item, i) => [
      [`${at}/items/${i}/unit_amount`, item.unit_amount] as [string, Money],
      ...(item.tax ? [[`${at}/items/${i}/tax`, item.tax] as [string, Money]] : []),
    ]),
  ];
  for (const [field, money] of moneys) {
    if (money.currency_code !== amount.currency_code)
      return {
        issue: 'CURRENCY_MISMATCH',
        field: `${field}/currency_code`,
        value: money.currency_code,
        description: 'Currency code should be the same for all amounts in a purchase unit.',
      };
    if (!precise(money))
      return {
        issue: 'DECIMAL_PRECISION',
        field: `${field}/value`,
        value: money.value,
        description: `${money.currency_code} does not take this many decimals`,
      };
  }
  if (items?.length) {
    if (!breakdown?.item_total)
      return {
        issue: 'ITEM_TOTAL_REQUIRED',
        field: `${at}/amount/breakdown/item_total`,
        description: 'If item details are specified, item_total is required.',
      };
    const total = items.reduce(
      (sum, item) => sum + minor(item.unit_amount) * Number(item.quantity),
      0,
    );
    if (total !== minor(breakdown.item_total))
      return {
        issue: 'ITEM_TOTAL_MISMATCH',
        field: `${at}/amount/breakdown/item_total/value`,
        value: breakdown.item_total.value,
        description: 'Should equal sum of (unit_amount * quantity) across all items.',
      };
    const taxed = items.filter((item) => item.tax);
    if (taxed.length && !breakdown.tax_total)
      return {
        issue: 'TAX_TOTAL_REQUIRED',
        field: `${at}/amount/breakdown/tax_total`,
        description: 'If item.tax is specified, tax_total is required.',
      };
    const tax = taxed.reduce((sum, item) => sum + minor(item.tax) * Number(item.quantity), 0);
    if (breakdown.tax_total && tax !== minor(breakdown.tax_total))
      return {
        issue: 'TAX_TOTAL_MISMATCH',
        field: `${at}/amount/breakdown/tax_total/value`,
        value: breakdown.tax_total.value,
        description: 'Should equal sum of (tax * quantity) across all items.',
      };
  }
  if (breakdown) {
    const part = (key: string) => (breakdown[key] ? minor(breakdown[key]) : 0);
    const expected =
      part('item_total') +
      part('tax_total') +
      part('shipping') +
      part('handling') +
      part('insurance') -
      part('shipping_discount') -
      part('discount');
    if (expected !== minor(amount))
      return {
        issue: 'AMOUNT_MISMATCH',
        field: `${at}/amount/value`,
        value: amount.value,
        description:
          'Should equal item_total + tax_total + shipping + handling + insurance - shipping_discount - discount.',
      };
  }
  return undefined;
}
