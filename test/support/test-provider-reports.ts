import { randomBytes } from 'node:crypto';
import { TestWebhookSigner } from '../../src/providers/test/test-webhook.signer';
import type { TestServer } from './test-server';

/** A payment as the payment API shows it, as far as a report about it needs. */
interface ReportedPayment {
  provider: { accountId: string; paymentId: string };
  amount: { value: number; currency: string };
}

/**
 * What the test provider says about one of its payments (`paid` with all of it captured),
 * signed the way its own webhooks are and posted to the account's webhook URL; the response.
 */
export function reportAsTestProvider(
  server: TestServer,
  payment: ReportedPayment,
  status: string,
): Promise<Response> {
  const body = JSON.stringify({
    id: `tpevt_${randomBytes(6).toString('hex')}`,
    type: 'payment.updated',
    createdAt: new Date().toISOString(),
    data: {
      id: payment.provider.paymentId,
      status,
      amount: payment.amount,
      ...(status === 'paid' ? { amountCaptured: payment.amount.value } : {}),
    },
  });
  const account = payment.provider.accountId;
  return fetch(`${server.baseUrl}/webhooks/test/${account}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'test-signature': server.server.app.get(TestWebhookSigner).sign(account, body),
    },
    body,
  });
}

/**
 * A test provider account whose captures, cancels and refunds lose their answer (the PSP did
 * the work, we never heard): its id. Created through the admin API with `admin`'s token.
 */
export async function lostAnswerTestAccount(server: TestServer, admin: string): Promise<string> {
  const account = await server.request('POST', '/api/v1/admin/provider-accounts', {
    token: admin,
    body: {
      provider: 'test',
      name: 'loses answers',
      credentials: {},
      settings: { operationFault: 'lost_answer' },
      testMode: true,
      enabled: true,
    },
  });
  if (account.status !== 201) throw new Error(`account not created: ${account.status}`);
  return account.body.id as string;
}
