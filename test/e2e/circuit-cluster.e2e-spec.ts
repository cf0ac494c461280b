import { createTestDatabase, TestDatabase } from '../support/databases';
import { enabledDialects } from '../support/services';
import { eventually, startPeer, startTestServer, TestServer } from '../support/test-server';
import { accountHealth, shopRoutedTo, testAccount } from '../support/cluster-scenarios';

const CIRCUIT_THRESHOLD = 3;

/**
 * Two server instances on one database: a PSP outage seen by one is seen by the other (the
 * circuit breaker state lives in provider_circuits), and an admin reset on either closes the
 * circuit for both.
 */
describe.each(enabledDialects())('the circuit breaker shared by two instances (%s)', (dialect) => {
  let database: TestDatabase;
  let a: TestServer;
  let b: TestServer;
  let admin: string;

  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    const env = {
      PAYMENTSERVER_CIRCUIT_FAILURE_THRESHOLD: String(CIRCUIT_THRESHOLD),
      // Long enough that the circuit stays open (not half-open) for the whole test.
      PAYMENTSERVER_CIRCUIT_COOLDOWN_MS: '600000',
    };
    a = await startTestServer({ database, env });
    b = await startPeer(a, database, env);
    admin = await a.adminToken();
  });

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await database?.drop();
  });

  const account = (name: string, settings: Record<string, unknown> = {}) =>
    testAccount(a, admin, name, settings);
  const shop = (target: string, spare: string) => shopRoutedTo(a, admin, target, spare);
  const health = (via: TestServer, id: string) => accountHealth(via, admin, id);

  it('opens on B after failures on A, B routes around it, and a reset on B closes it for A', async () => {
    const flaky = await account('flaky', { failureMode: 'unavailable' });
    const spare = await account('spare');
    const pay = await shop(flaky, spare);

    for (let i = 0; i < CIRCUIT_THRESHOLD; i++) {
      const res = (await pay(a)).body;
      expect(res.routing.attempts[0]).toMatchObject({
        providerAccountId: flaky,
        outcome: 'failed',
      });
      expect(res.provider.accountId).toBe(spare);
    }
    expect(await health(a, flaky)).toMatchObject({ state: 'open', scope: 'shared' });

    // B never called the PSP, yet sees the outage within its reload interval.
    await eventually(async () => (await health(b, flaky)).state === 'open');
    expect(await health(b, flaky)).toMatchObject({
      state: 'open',
      consecutiveFailures: CIRCUIT_THRESHOLD,
      lastFailure: expect.stringMatching(/^provider_unavailable/),
      scope: 'shared',
    });
    const routedAround = (await pay(b)).body;
    expect(routedAround.provider.accountId).toBe(spare);
    expect(routedAround.routing.attempts[0]).toEqual({
      providerAccountId: flaky,
      outcome: 'skipped',
      error: expect.stringContaining('circuit open'),
    });

    // The PSP is back; an operator closes the circuit on B, and A puts the account back too.
    await a.request('PATCH', `/api/v1/admin/provider-accounts/${flaky}`, {
      token: admin,
      body: { settings: { failureMode: 'none' } },
    });
    const reset = await b.request('POST', `/api/v1/admin/provider-accounts/${flaky}/health/reset`, {
      token: admin,
    });
    expect(reset.status).toBe(200);
    expect(reset.body).toEqual({
      providerAccountId: flaky,
      state: 'closed',
      consecutiveFailures: 0,
      openedAt: null,
      retryAt: null,
      lastFailure: null,
      lastFailureAt: null,
      scope: 'shared',
    });
    await eventually(async () => (await health(a, flaky)).state === 'closed');
    const back = (await pay(a)).body;
    expect(back.provider.accountId).toBe(flaky);
    expect(back.routing.attempts).toEqual([{ providerAccountId: flaky, outcome: 'succeeded' }]);

    const audit = await a.request(
      'GET',
      `/api/v1/admin/audit-events?action=provider_account.health_reset&targetId=${flaky}`,
      { token: admin },
    );
    expect(audit.body.data).toEqual([
      expect.objectContaining({
        action: 'provider_account.health_reset',
        targetId: flaky,
        outcome: 'succeeded',
      }),
    ]);
  });

  it('counts failures on both instances towards one threshold', async () => {
    const flaky = await account('flaky-both', { failureMode: 'unavailable' });
    const spare = await account('spare-both');
    const pay = await shop(flaky, spare);
    // Below the threshold on each instance alone, over it together.
    await pay(a);
    await eventually(async () => (await health(b, flaky)).consecutiveFailures === 1);
    await pay(b);
    await eventually(async () => (await health(a, flaky)).consecutiveFailures === 2);
    await pay(a);
    expect(await health(a, flaky)).toMatchObject({ state: 'open', consecutiveFailures: 3 });
    await eventually(async () => (await health(b, flaky)).state === 'open');
  });

  it('refuses the reset to a viewer (403, audited as refused) and answers 404 for an unknown account', async () => {
    const spare = await account('viewer-target');
    const viewer = await a.adminToken({ roles: ['viewer'] });
    const refused = await b.request(
      'POST',
      `/api/v1/admin/provider-accounts/${spare}/health/reset`,
      { token: viewer },
    );
    expect(refused.status).toBe(403);
    const refusals = await a.request(
      'GET',
      `/api/v1/admin/audit-events?action=provider_account.health_reset&targetId=${spare}`,
      { token: admin },
    );
    expect(refusals.body.data).toEqual([
      expect.objectContaining({ targetId: spare, outcome: 'failed' }),
    ]);
    const unknown = await b.request(
      'POST',
      '/api/v1/admin/provider-accounts/pa_nope/health/reset',
      {
        token: admin,
      },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBeDefined();
  });
});
