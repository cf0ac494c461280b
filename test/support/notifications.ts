import { Webhook } from 'standardwebhooks';
import { eventually, paymentBody, submitCheckout, TestServer } from './test-server';
import type { ReceivedWebhook } from './webhook-receiver';

/** Helpers shared by the notification suites. */
export const ENDPOINTS = '/api/v1/admin/notification-endpoints';

export async function defaultIntegrationId(server: TestServer): Promise<string> {
  const token = await server.adminToken();
  const list = await server.request('GET', '/api/v1/admin/integrations', { token });
  return list.body.data.find((i: { name: string }) => i.name === 'default').id;
}

export async function createEndpoint(
  server: TestServer,
  body: Record<string, unknown>,
): Promise<any> {
  const response = await server.request('POST', ENDPOINTS, {
    token: await server.adminToken(),
    body,
  });
  if (response.status !== 201)
    throw new Error(`endpoint not created: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

export async function admin(server: TestServer, method: string, path: string, body?: unknown) {
  return server.request(method, path, { token: await server.adminToken(), body });
}

/** A test-provider payment the customer paid on the checkout page. */
export async function paidPayment(server: TestServer, outcome = 'paid'): Promise<any> {
  const created = await server.request('POST', '/api/v1/payments', { body: paymentBody() });
  if (created.status !== 201) throw new Error(`payment not created: ${created.status}`);
  const response = await submitCheckout(created.body.checkoutUrl, { outcome });
  if (response.status !== 303) throw new Error(`checkout answered ${response.status}`);
  return created.body;
}

export async function deliveriesOf(server: TestServer, endpointId: string): Promise<any[]> {
  const response = await admin(server, 'GET', `${ENDPOINTS}/${endpointId}/deliveries?limit=100`);
  return response.body.data;
}

/** Waits until the endpoint's delivery of `eventId` (or its only one) reaches `status`. */
export async function deliveryIn(
  server: TestServer,
  endpointId: string,
  status: string,
  timeoutMs = 20_000,
): Promise<any> {
  return eventually(
    async () => (await deliveriesOf(server, endpointId)).find((d) => d.status === status),
    timeoutMs,
  );
}

/** Parses and checks a received webhook with the standardwebhooks library. */
export function verify(secret: string, received: ReceivedWebhook): any {
  return new Webhook(secret).verify(received.body, {
    'webhook-id': received.headers['webhook-id'],
    'webhook-timestamp': received.headers['webhook-timestamp'],
    'webhook-signature': received.headers['webhook-signature'],
  });
}

/** A payment.status_changed endpoint on the default integration; `body` adds to or overrides that. */
export async function statusEndpoint(
  server: TestServer,
  body: Record<string, unknown>,
): Promise<any> {
  return createEndpoint(server, {
    integrationId: await defaultIntegrationId(server),
    events: ['payment.status_changed'],
    ...body,
  });
}

/**
 * Creates status endpoints for the running test and deletes them after it, so that later
 * events do not pile up on earlier tests' endpoints. `server` is read when called (it starts
 * in beforeAll).
 */
export function endpointsPerTest(
  server: () => TestServer,
): (body: Record<string, unknown>) => Promise<any> {
  const created: string[] = [];
  afterEach(async () => {
    for (const id of created.splice(0)) await admin(server(), 'DELETE', `${ENDPOINTS}/${id}`);
  });
  return async (body) => {
    const endpoint = await statusEndpoint(server(), body);
    created.push(endpoint.id);
    return endpoint;
  };
}
