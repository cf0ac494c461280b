import type { TestProviderPayment } from './test-provider-payment.entity';
import { toDecimalString } from '../../common/money/money';
import { PAYMENT_METHODS } from '../../domain/payment-status';

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const OUTCOMES: { value: string; label: string; color: string }[] = [
  { value: 'paid', label: 'Pay', color: '#15803d' },
  { value: 'authorized', label: 'Authorize only', color: '#1d4ed8' },
  { value: 'failed', label: 'Decline', color: '#b91c1c' },
  { value: 'canceled', label: 'Cancel', color: '#6b7280' },
  { value: 'expired', label: 'Let it expire', color: '#92400e' },
];

/** The test provider's hosted checkout page: one button per outcome. */
export function renderCheckoutPage(row: TestProviderPayment): string {
  const amount = `${toDecimalString(row.amountValue, row.currency)} ${row.currency}`;
  const open = ['open', 'pending'].includes(row.status);
  const buttons = OUTCOMES.map(
    (o) =>
      `<button type="submit" name="outcome" value="${o.value}" style="background:${o.color}">${o.label}</button>`,
  ).join('\n      ');
  const chosen = row.method ?? 'card';
  const methods = PAYMENT_METHODS.map(
    (m) => `<option value="${m}"${m === chosen ? ' selected' : ''}>${m}</option>`,
  ).join('');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Test payment ${escape(row.id)}</title>
  <style>
    body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; color: #111827; }
    .card { border: 1px solid #e5e7eb; border-radius: .75rem; padding: 1.5rem; }
    .amount { font-size: 2rem; font-weight: 600; margin: .5rem 0 1rem; }
    .badge { display: inline-block; background: #fef3c7; color: #92400e; border-radius: 999px; padding: .1rem .6rem; font-size: .8rem; }
    button { color: white; border: 0; border-radius: .5rem; padding: .7rem 1rem; margin: .25rem .25rem .25rem 0; font-size: 1rem; cursor: pointer; }
    details { margin-top: 1rem; color: #374151; }
    label { display: block; margin: .35rem 0; }
  </style>
</head>
<body>
  <div class="card">
    <span class="badge">PaymentServer test provider: no real money moves</span>
    <h1>${escape(row.description)}</h1>
    <div class="amount">${escape(amount)}</div>
    <p>Payment <code>${escape(row.id)}</code> is <strong>${escape(row.status)}</strong>.</p>
    ${
      open
        ? `<form method="post">
      <label>Pay with <select name="method">${methods}</select></label>
      ${buttons}
      <details>
        <summary>Simulate what real PSPs do</summary>
        <label><input type="checkbox" name="pendingFirst" value="true"> Report <code>pending</code> first (asynchronous processing)</label>
        <label><input type="checkbox" name="duplicate" value="true"> Deliver the webhook twice</label>
        <label><input type="checkbox" name="dropWebhook" value="true"> Lose the webhook (only polling finds the outcome)</label>
        <label>Deliver the webhook after <input type="number" name="delayMs" min="0" max="600000" value="0" style="width:6rem"> ms</label>
      </details>
    </form>`
        : '<p>This payment is no longer open.</p>'
    }
  </div>
</body>
</html>`;
}
