import type { Address, OrderLine } from '../../domain/order-details';
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

/**
 * `checkout_data` of a BNPL refund (openapi requestBody/RefundBNPL.yaml): the order's cart
 * items as MultiSafepay returned them, plus one untaxed line of minus the amount, the way
 * refunds.md ("BNPL refunds") describes a partial refund. A full refund is such a line too rather
 * than every item duplicated: we refund an amount, not items, and after partial refunds the
 * items would no longer add up to what is left. Its merchant_item_id is our refund id.
 */
export function multisafepayRefundCart(items: readonly unknown[], refundId: string, amount: Money) {
  return {
    items: [
      ...items,
      {
        name: 'Refund',
        // A JSON number only here: MultiSafepay's unit_price is a decimal in currency units.
        unit_price: Number(toDecimalString(-amount.value, amount.currency)),
        quantity: 1,
        merchant_item_id: refundId,
        tax_table_selector: NO_TAX,
      },
    ],
  };
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
    ...(address.phone ? { phone1: address.phone } : {}),
    ...(address.email ? { email: address.email } : {}),
  };
}

/** `customer` (the billing details, else customer.name split in two) and `delivery`. */
export function multisafepayPeople(request: CreatePaymentRequest) {
  const name = splitName(request.customer?.name);
  const customer = request.billingAddress
    ? person(request.billingAddress)
    : name
      ? { first_name: name.first, last_name: name.last }
      : {};
  return {
    customer,
    ...(request.shippingAddress ? { delivery: person(request.shippingAddress) } : {}),
  };
}

/** `seconds_active` for a payment with an expiry. */
export function multisafepaySecondsActive(request: CreatePaymentRequest, now = Date.now()) {
  if (!request.expiresAt) return {};
  return { seconds_active: Math.max(1, Math.ceil((request.expiresAt.getTime() - now) / 1000)) };
}
