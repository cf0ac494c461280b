/** Adyen's checks of a payment link request beyond its schema (the spec validator does that). */

export interface LinkProblem {
  errorCode: string;
  message: string;
}

const SEVENTY_DAYS_MS = 70 * 86_400_000;

/**
 * Metadata limits (errors 177, 178, 179 as the spec describes them), the expiry (ISO 8601 with an
 * offset, in the future, at most 70 days ahead), line items whose parts agree and add up to the
 * amount, and what Klarna needs (lineItems, shopperName, shopperEmail, countryCode).
 */
export function linkRequestProblem(body: any): LinkProblem | undefined {
  const metadata = Object.entries((body.metadata ?? {}) as Record<string, unknown>);
  if (metadata.length > 20) return { errorCode: '177', message: 'Metadata size exceeds limit' };
  if (metadata.some(([key]) => key.length > 20))
    return { errorCode: '178', message: 'Metadata key size exceeds limit' };
  if (metadata.some(([, value]) => String(value).length > 80))
    return { errorCode: '179', message: 'Metadata value size exceeds limit' };
  if (body.expiresAt !== undefined) {
    const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(
      body.expiresAt,
    );
    const at = Date.parse(body.expiresAt);
    if (!zoned || Number.isNaN(at))
      return { errorCode: '702', message: 'expiresAt must be ISO 8601 with a time zone offset' };
    if (at <= Date.now() || at > Date.now() + SEVENTY_DAYS_MS)
      return {
        errorCode: '702',
        message: 'expiresAt must be in the future and at most 70 days ahead',
      };
  }
  const items: any[] | undefined = body.lineItems;
  if (items) {
    for (const [i, item] of items.entries()) {
      if (!Number.isInteger(item.quantity) || item.quantity < 1)
        return { errorCode: '702', message: `lineItems[${i}].quantity must be a positive integer` };
      if (!Number.isInteger(item.amountIncludingTax))
        return {
          errorCode: '702',
          message: `lineItems[${i}].amountIncludingTax is required (minor units)`,
        };
      if (
        item.amountExcludingTax !== undefined &&
        item.taxAmount !== undefined &&
        item.amountExcludingTax + item.taxAmount !== item.amountIncludingTax
      )
        return {
          errorCode: '702',
          message: `lineItems[${i}]: amountExcludingTax + taxAmount must equal amountIncludingTax`,
        };
    }
    const total = items.reduce((sum, item) => sum + item.amountIncludingTax * item.quantity, 0);
    if (total !== body.amount.value)
      return {
        errorCode: '137',
        message: 'Invalid amount specified: the line items do not add up to the amount',
      };
  }
  if ((body.allowedPaymentMethods ?? []).includes('klarna')) {
    for (const field of ['lineItems', 'shopperName', 'shopperEmail', 'countryCode'])
      if (body[field] === undefined)
        return { errorCode: '702', message: `Klarna requires ${field}` };
  }
  return undefined;
}
