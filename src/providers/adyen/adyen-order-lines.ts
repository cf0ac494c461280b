import type { Address } from '../../domain/order-details';
import { vatIncluded } from '../../domain/order-details';
import type { CreatePaymentRequest } from '../provider.interface';
import { splitName, splitStreet } from '../street-address';
import { toAdyenAmount } from './adyen.mapper';
import type { AdyenAddress, AdyenLineItem, AdyenPaymentLinkRequest } from './adyen.types';

/** A payment link may live at most 70 days (Adyen's limit for `expiresAt`). */
export const ADYEN_EXPIRY = { minSeconds: 60, maxSeconds: 70 * 86400 };

/** Adyen metadata: at most 20 entries, keys ≤ 20 and values ≤ 80 characters (errors 177–179). */
const METADATA_ENTRIES = 20;

function toAdyenAddress(address: Address): AdyenAddress {
  const { street, houseNumber } = splitStreet(address.streetAndNumber);
  return {
    street,
    houseNumberOrName: houseNumber,
    postalCode: address.postalCode,
    city: address.city,
    country: address.country,
    // Adyen takes the ISO 3166-2 subdivision code only (required for the US and Canada).
    ...(address.region && /^[A-Z0-9]{1,3}$/.test(address.region)
      ? { stateOrProvince: address.region }
      : {}),
  };
}

/**
 * `lineItems` with per-unit amounts in Adyen's minor units: amountIncludingTax is the unit
 * price, its tax is worked out per unit, in Adyen's units, from vatRate (taxPercentage in basis
 * points), so amountExcludingTax + taxAmount = amountIncludingTax on every line. Discounts are
 * negative.
 */
function lineItems(request: CreatePaymentRequest): AdyenLineItem[] | undefined {
  return request.lines?.map((line, index) => {
    const unit = toAdyenAmount(line.unitPrice).value;
    // Worked out on the price in Adyen's units: in ISO units the tax of an IDR or CVE line
    // (no decimals at Adyen, two in ISO 4217) is rarely whole, and could not be sent.
    const tax = line.vatRate !== undefined ? vatIncluded(unit, line.vatRate) : undefined;
    return {
      id: line.sku ?? String(index + 1),
      description: line.name,
      quantity: line.quantity,
      amountIncludingTax: unit,
      ...(tax !== undefined
        ? {
            amountExcludingTax: unit - tax,
            taxAmount: tax,
            taxPercentage: Number(line.vatRate!.replace('.', '')),
          }
        : {}),
      ...(line.sku ? { sku: line.sku } : {}),
    };
  });
}

/** The billing names, else customer.name split in two. */
function nameOf(
  request: CreatePaymentRequest,
): { firstName: string; lastName: string } | undefined {
  const billing = request.billingAddress;
  const split = billing
    ? { first: billing.givenName, last: billing.familyName }
    : splitName(request.customer?.name);
  return split
    ? { firstName: split.first.slice(0, 80), lastName: split.last.slice(0, 80) }
    : undefined;
}

/** The order fields of a payment link: lines, addresses, the shopper, the expiry. */
export function adyenOrderFields(request: CreatePaymentRequest): Partial<AdyenPaymentLinkRequest> {
  const fields: Partial<AdyenPaymentLinkRequest> = {};
  const items = lineItems(request);
  if (items) fields.lineItems = items;
  if (request.billingAddress) fields.billingAddress = toAdyenAddress(request.billingAddress);
  if (request.shippingAddress) fields.deliveryAddress = toAdyenAddress(request.shippingAddress);
  const name = nameOf(request);
  if (name) fields.shopperName = name;
  const email = request.customer?.email ?? request.billingAddress?.email;
  if (email) fields.shopperEmail = email;
  if (request.billingAddress?.phone) fields.telephoneNumber = request.billingAddress.phone;
  const country = request.customer?.country ?? request.billingAddress?.country;
  if (country) fields.countryCode = country;
  // ISO 8601 with an offset, to the second, as Adyen documents it.
  if (request.expiresAt)
    fields.expiresAt = request.expiresAt.toISOString().replace(/\.\d{3}Z$/, '+00:00');
  return fields;
}

/** The shop's metadata within Adyen's limits, then ours (which must always fit). */
export function adyenMetadata(
  request: CreatePaymentRequest,
  ours: Record<string, string>,
): Record<string, string> {
  const room = METADATA_ENTRIES - Object.keys(ours).length;
  const shop = Object.entries(request.metadata ?? {})
    .filter(([key, value]) => key.length <= 20 && value.length <= 80 && !(key in ours))
    .slice(0, room);
  return { ...Object.fromEntries(shop), ...ours };
}
