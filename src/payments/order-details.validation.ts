import type { FieldError } from '../common/errors/domain-error';
import type { ProviderCapabilities } from '../providers/provider.interface';
import type { CreatePaymentDto } from './dto/create-payment.dto';
import type { PaymentMethod } from '../domain/payment-status';
import { vatIncluded } from '../domain/order-details';

/** Methods whose provider needs the order and the buyer's address (the buyer pays later). */
export const PAY_LATER_METHODS: readonly PaymentMethod[] = ['klarna'];

/** A date-time with a time and a zone: a bare date would be read in nobody knows which zone. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

function lineErrors(dto: CreatePaymentDto): FieldError[] {
  const lines = dto.lines ?? [];
  const currency = dto.amount.currency;
  const errors: FieldError[] = [];
  lines.forEach((line, i) => {
    const at = `lines[${i}]`;
    for (const key of ['unitPrice', 'totalAmount', 'vatAmount'] as const) {
      const money = line[key];
      if (money && money.currency !== currency)
        errors.push({ field: `${at}.${key}.currency`, message: `must be ${currency}, as amount` });
    }
    const discount = line.type === 'discount';
    if (discount && line.unitPrice.value >= 0)
      errors.push({
        field: `${at}.unitPrice.value`,
        message: 'must be negative on a discount line',
      });
    if (!discount && line.unitPrice.value < 0)
      errors.push({
        field: `${at}.unitPrice.value`,
        message: 'must not be negative (only a discount line is)',
      });
    const total = line.quantity * line.unitPrice.value;
    if (!Number.isSafeInteger(total) || line.totalAmount.value !== total)
      errors.push({
        field: `${at}.totalAmount`,
        message: `must be quantity × unitPrice.value = ${total}`,
      });
    if (line.vatAmount && line.vatRate === undefined)
      errors.push({ field: `${at}.vatRate`, message: 'is required with vatAmount' });
    if (line.vatRate !== undefined && !line.vatAmount)
      errors.push({ field: `${at}.vatAmount`, message: 'is required with vatRate' });
    if (line.vatRate !== undefined && line.vatAmount) {
      const expected = vatIncluded(line.totalAmount.value, line.vatRate);
      // One minor unit either way: shops round per unit or per line.
      if (Math.abs(line.vatAmount.value - expected) > 1)
        errors.push({
          field: `${at}.vatAmount`,
          message: `must be totalAmount × vatRate / (100 + vatRate) = ${expected}`,
        });
    }
  });
  if (errors.length === 0 && lines.length > 0) {
    // In BigInt: safe integers may add up past 2^53, where a Number sum would round.
    const sum = lines.reduce((acc, line) => acc + BigInt(line.totalAmount.value), 0n);
    if (sum !== BigInt(dto.amount.value))
      errors.push({
        field: 'lines',
        message: `the totalAmounts add up to ${sum}, not to amount.value ${dto.amount.value}`,
      });
  }
  return errors;
}

/** Checks across fields of a create body that class-validator cannot see one field at a time. */
export function orderDetailsErrors(dto: CreatePaymentDto, now = new Date()): FieldError[] {
  const errors = lineErrors(dto);
  if (dto.expiresAt !== undefined) {
    if (!DATE_TIME.test(dto.expiresAt))
      errors.push({
        field: 'expiresAt',
        message: 'must be a date-time with a time zone, e.g. 2026-12-04T12:00:00Z',
      });
    else if (new Date(dto.expiresAt).getTime() <= now.getTime())
      errors.push({ field: 'expiresAt', message: 'must be in the future' });
  }
  if (dto.method && PAY_LATER_METHODS.includes(dto.method)) {
    if (!dto.lines) errors.push({ field: 'lines', message: `is required for ${dto.method}` });
    if (!dto.billingAddress)
      errors.push({ field: 'billingAddress', message: `is required for ${dto.method}` });
    else if (!dto.billingAddress.email && !dto.customer?.email)
      errors.push({
        field: 'billingAddress.email',
        message: `is required for ${dto.method} (here or as customer.email)`,
      });
  }
  return errors;
}

/** Where a provider's hosted checkout cannot expire at `expiresAt`, why (for a 400 on expiresAt). */
export function expiryProblem(
  expiresAt: Date,
  provider: { name: string; capabilities: ProviderCapabilities },
  now = new Date(),
): string | null {
  const limits = provider.capabilities.expiry;
  if (!limits) return null; // not sent to this provider
  const seconds = (expiresAt.getTime() - now.getTime()) / 1000;
  const span = (s: number) =>
    s > 86400 && s % 86400 === 0
      ? `${s / 86400} days`
      : s % 3600 === 0
        ? `${s / 3600} hours`
        : `${s / 60} minutes`;
  if (seconds < limits.minSeconds)
    return `must be at least ${span(limits.minSeconds)} ahead for ${provider.name}`;
  if (seconds > limits.maxSeconds)
    return `must be at most ${span(limits.maxSeconds)} ahead for ${provider.name}`;
  return null;
}
