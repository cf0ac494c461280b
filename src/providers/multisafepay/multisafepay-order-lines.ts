import type { Address, OrderLine } from '../../domain/order-details';
import type { PaymentMethod } from '../../domain/payment-status';
import { toDecimalString, type Money } from '../../common/money/money';
import type { CreatePaymentRequest } from '../provider.interface';
import { splitName, splitStreet } from '../street-address';

/** MultiSafepay documents no upper bound for `seconds_active`; a year keeps it sane. */
export const MULTISAFEPAY_EXPIRY = { minSeconds: 60, maxSeconds: 365 * 86400 };

/** MultiSafepay's convention for the shipping line of a shopping cart. */
const SHIPPING_ITEM_ID = 'msp-shipping';
const NO_TAX = 'none';

/**
 * A unit price excluding VAT, in the currency's units with 10 decimals (EUR), as MultiSafepay advises
 * so that unit_price × quantity × (1 + rate) comes back to the VAT-inclusive price. Worked out
 * in BigInt minor units; it becomes a JSON number only here, because that is MultiSafepay's
 * format for unit_price.
 */
export function unitPriceExcludingTax(line: OrderLine): number {
  const unit = line.unitPrice;
  if (line.vatRate === undefined) return Number(toDecimalString(unit.value, unit.currency));
  const basis = BigInt(line.vatRate.replace('.', '')); // "21.00" → 2100
  const scale = 10n ** 8n; // with two minor digits: 10 decimals
  const numerator = BigInt(unit.value) * 10000n * scale;
  const denominator = 10000n + basis;
  const sign = numerator < 0n ? -1n : 1n;
  const scaled = (2n * numerator + sign * denominator) / (2n * denominator); // minor units × 10^8
  const minorDigits = toDecimalString(1, unit.currency).split('.')[1]?.length ?? 0;
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(minorDigits + 9, '0');
  const point = digits.length - (minorDigits + 8);
  return Number(`${negative ? '-' : ''}${digits.slice(0, point)}.${digits.slice(point)}`);
}

const tableName = (line: OrderLine) => (line.vatRate === undefined ? NO_TAX : `VAT${line.vatRate}`);

/** `shopping_cart.items` and the `checkout_options.tax_tables` they select. */
export function multisafepayCart(request: CreatePaymentRequest) {
  if (!request.lines) return {};
  const rates = new Map<string, number>([[NO_TAX, 0]]);
  for (const line of request.lines)
    if (line.vatRate !== undefined) rates.set(tableName(line), Number(line.vatRate) / 100);
  return {
    shopping_cart: {
      items: request.lines.map((line, index) => ({
        name: line.name,
        unit_price: unitPriceExcludingTax(line),
        quantity: line.quantity,
        merchant_item_id:
          line.type === 'shipping_fee' ? SHIPPING_ITEM_ID : (line.sku ?? String(index + 1)),
        tax_table_selector: tableName(line),
      })),
    },
    checkout_options: {
      tax_tables: {
        default: { shipping_taxed: false, rate: 0 },
        alternate: [...rates].map(([name, rate]) => ({
          name,
          standalone: true,
          rules: [{ rate }],
        })),
      },
    },
  };
}

/** A JSON number's decimal digits as an integer scaled by 10^places, exactly; undefined if it has more. */
function scaled(value: unknown, places: number): bigint | undefined {
  const match = typeof value === 'number' ? /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(value)) : null;
  if (!match || (match[3] ?? '').length > places) return undefined;
  const digits = BigInt(match[2] + (match[3] ?? '').padEnd(places, '0'));
  return match[1] ? -digits : digits;
}

/** The rate (scaled by 10^6) of each tax table an order's items may select; '' is the default table. */
function taxRates(checkoutOptions: unknown): Map<string, bigint> {
  const tables = (checkoutOptions as { tax_tables?: any } | null | undefined)?.tax_tables;
  const rates = new Map<string, bigint>();
  const fallback = scaled(tables?.default?.rate, 6);
  if (fallback !== undefined) rates.set('', fallback);
  for (const table of Array.isArray(tables?.alternate) ? tables.alternate : []) {
    const rate = scaled(table?.rules?.[0]?.rate, 6);
    if (typeof table?.name === 'string' && rate !== undefined) rates.set(table.name, rate);
  }
  return rates;
}

/** Items the cart holds of one kind: the same merchant_item_id, unit_price and tax table. */
interface CartGroup {
  item: Record<string, unknown>;
  quantity: number;
  /** The price of one, VAT included, in 10^-16 currency units; undefined if unreadable. */
  gross?: bigint;
}

/**
 * A subset-sum search stops at this many distinct totals, or this many steps (a cart of large
 * quantities at one price): past either the amount is treated as not expressible.
 */
const MAX_COMBINATIONS = 20_000;
const MAX_STEPS = 1_000_000;

/**
 * `checkout_data` of a BNPL refund: every item of the order's cart as MultiSafepay returned it,
 * plus a duplicate of each refunded item with a negative `quantity` (klarna.md "Duplicate the
 * object of the items you want to refund and enter a negative value for `quantity`"; the old
 * API reference pay-later-refund.md: "provide the exact same `merchant_item_id`,
 * `tax_table_selector`, and `unit_price`. If you enter a negative `unit_price`, the order is
 * cancelled"). So only an amount that whole items come to can be refunded: undefined otherwise.
 * `full`: the amount is all that was paid, nothing refunded yet, so every item goes back
 * (whatever the tax tables). Quantities already refunded are netted where the cart shows them.
 */
export function multisafepayRefundCart(
  items: readonly Record<string, unknown>[],
  checkoutOptions: unknown,
  amount: Money,
  full: boolean,
): { items: Record<string, unknown>[] } | undefined {
  const groups = new Map<string, CartGroup>();
  const rates = taxRates(checkoutOptions);
  for (const item of items) {
    if (!Number.isSafeInteger(item.quantity)) return undefined;
    const key = JSON.stringify([item.merchant_item_id, item.unit_price, item.tax_table_selector]);
    const group = groups.get(key);
    if (group) {
      group.quantity += item.quantity as number;
      continue;
    }
    const price = scaled(item.unit_price, 10);
    const rate = rates.get(
      typeof item.tax_table_selector === 'string' ? item.tax_table_selector : '',
    );
    groups.set(key, {
      item,
      quantity: item.quantity as number,
      gross: price !== undefined && rate !== undefined ? price * (10n ** 6n + rate) : undefined,
    });
  }
  const open = [...groups.values()].filter((group) => group.quantity > 0);
  const chosen = full ? open.map((group) => group.quantity) : combination(open, amount);
  if (!chosen || chosen.every((quantity) => quantity === 0)) return undefined;
  return {
    items: [
      ...items,
      ...open.flatMap((group, index) =>
        chosen[index] > 0 ? [{ ...group.item, quantity: -chosen[index] }] : [],
      ),
    ],
  };
}

/**
 * Quantities of `groups` (each at most what is left of it) whose VAT-inclusive total, rounded to
 * the currency's minor unit as MultiSafepay totals a cart, is the amount; undefined if none.
 * Worked out in BigInt: no floating point on the amount.
 */
function combination(groups: readonly CartGroup[], amount: Money): number[] | undefined {
  if (groups.some((group) => group.gross === undefined)) return undefined;
  const minorDigits = toDecimalString(1, amount.currency).split('.')[1]?.length ?? 0;
  const unit = 10n ** BigInt(16 - minorDigits); // one minor unit in 10^-16 currency units
  const target = BigInt(amount.value);
  let sums = new Map<bigint, number[]>([[0n, []]]);
  let steps = 0;
  for (const group of groups) {
    const next = new Map<bigint, number[]>();
    for (const [sum, quantities] of sums)
      for (let quantity = 0; quantity <= group.quantity; quantity++) {
        const total = sum + BigInt(quantity) * group.gross!;
        if (!next.has(total)) next.set(total, [...quantities, quantity]);
        if (next.size > MAX_COMBINATIONS || ++steps > MAX_STEPS) return undefined;
      }
    sums = next;
  }
  for (const [sum, quantities] of sums)
    if (sum > 0n && (sum + unit / 2n) / unit === target) return quantities;
  return undefined;
}

function person(address: Address) {
  const { street, houseNumber } = splitStreet(address.streetAndNumber);
  return {
    first_name: address.givenName,
    last_name: address.familyName,
    ...(address.organizationName ? { company_name: address.organizationName } : {}),
    address1: street,
    house_number: houseNumber,
    zip_code: address.postalCode,
    city: address.city,
    ...(address.region ? { state: address.region } : {}),
    country: address.country,
    // `phone` (openapi schemas/Customer.yaml, Delivery.yaml); `phone1` is only in answers.
    ...(address.phone ? { phone: address.phone } : {}),
    ...(address.email ? { email: address.email } : {}),
  };
}

/**
 * Methods whose orders MultiSafepay takes as BNPL orders (openapi schemas/orders/BNPL.yaml,
 * gateway from GatewayIdentifiersBNPL.yaml): `delivery` is required (with address1, city,
 * country, first_name, house_number, last_name, zip_code), and its `email` for Klarna
 * (schemas/Delivery.yaml "Required for: Klarna orders"). Klarna is the only one offered here.
 */
const DELIVERY_REQUIRED: ReadonlySet<PaymentMethod> = new Set<PaymentMethod>(['klarna']);

/**
 * `customer` (the billing details, else customer.name split in two) and `delivery`: the
 * shipping address; for a BNPL order without one, the billing address (the core requires one
 * for Klarna), with the customer's email where the address has none.
 */
export function multisafepayPeople(request: CreatePaymentRequest) {
  const name = splitName(request.customer?.name);
  const customer = request.billingAddress
    ? person(request.billingAddress)
    : name
      ? { first_name: name.first, last_name: name.last }
      : {};
  const bnpl = request.method !== null && DELIVERY_REQUIRED.has(request.method);
  const shipTo = request.shippingAddress ?? (bnpl ? request.billingAddress : null);
  const email = bnpl
    ? (shipTo?.email ?? request.customer?.email ?? request.billingAddress?.email)
    : undefined;
  return {
    customer,
    ...(shipTo ? { delivery: { ...person(shipTo), ...(email ? { email } : {}) } } : {}),
  };
}

/** `seconds_active` for a payment with an expiry. */
export function multisafepaySecondsActive(request: CreatePaymentRequest, now = Date.now()) {
  if (!request.expiresAt) return {};
  return { seconds_active: Math.max(1, Math.ceil((request.expiresAt.getTime() - now) / 1000)) };
}
