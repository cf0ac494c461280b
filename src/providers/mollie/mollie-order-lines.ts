import type { Address } from '../../domain/order-details';
import type { CreatePaymentRequest } from '../provider.interface';
import { toMollieAmount } from './mollie.mapper';
import type { MollieAddress, MollieLine } from './mollie.types';

/** Our address as Mollie's (its field names are ours); the email falls back to the customer's. */
function toMollieAddress(address: Address, email: string | undefined): MollieAddress {
  const out: MollieAddress = {
    givenName: address.givenName,
    familyName: address.familyName,
    streetAndNumber: address.streetAndNumber,
    postalCode: address.postalCode,
    city: address.city,
    country: address.country,
  };
  if (address.organizationName) out.organizationName = address.organizationName;
  if (address.region) out.region = address.region;
  if (address.phone) out.phone = address.phone;
  const mail = address.email ?? email;
  if (mail) out.email = mail;
  return out;
}

/**
 * The order fields of a Mollie Payments API create body: `lines` (amounts as decimal strings,
 * vatRate as "21.00", a discount as a negative line) and the two addresses. Mollie checks that
 * the lines add up to the amount; we did too, before any call.
 */
export function mollieOrderFields(request: CreatePaymentRequest): {
  lines?: MollieLine[];
  billingAddress?: MollieAddress;
  shippingAddress?: MollieAddress;
} {
  const email = request.customer?.email;
  return {
    ...(request.lines
      ? {
          lines: request.lines.map((line) => ({
            type: line.type ?? 'physical',
            description: line.name,
            quantity: line.quantity,
            unitPrice: toMollieAmount(line.unitPrice),
            totalAmount: toMollieAmount(line.totalAmount),
            ...(line.vatRate !== undefined ? { vatRate: line.vatRate } : {}),
            ...(line.vatAmount ? { vatAmount: toMollieAmount(line.vatAmount) } : {}),
            ...(line.sku ? { sku: line.sku } : {}),
          })),
        }
      : {}),
    ...(request.billingAddress
      ? { billingAddress: toMollieAddress(request.billingAddress, email) }
      : {}),
    ...(request.shippingAddress
      ? { shippingAddress: toMollieAddress(request.shippingAddress, undefined) }
      : {}),
  };
}
