import { enabledDialects } from '../support/services';
import { startTestServer, TestServer } from '../support/test-server';

const RULES = '/api/v1/admin/routing-rules';

describe.each(enabledDialects())('admin API: routing rules (%s)', (dialect) => {
  let server: TestServer;
  let admin: string;
  let accountA: string;
  let accountB: string;
  let nextPriority = 1000;

  const newAccount = async (name: string) =>
    (
      await server.request('POST', '/api/v1/admin/provider-accounts', {
        token: admin,
        body: { provider: 'test', name, credentials: {} },
      })
    ).body.id as string;
  const post = (body: unknown) => server.request('POST', RULES, { token: admin, body });
  const rule = (overrides: Record<string, unknown> = {}) => ({
    name: 'rule',
    priority: nextPriority++,
    targets: [{ providerAccountId: accountA, weight: 1 }],
    ...overrides,
  });
  const fields = (body: any) => (body.errors ?? []).map((e: any) => e.field);

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    admin = await server.adminToken();
    accountA = await newAccount('A');
    accountB = await newAccount('B');
  });

  afterAll(async () => {
    await server?.close();
  });

  it('creates, reads, lists in priority order, changes and deletes a rule', async () => {
    const created = await post(
      rule({
        name: 'EUR split',
        priority: 20,
        conditions: {
          currencies: ['EUR'],
          amountMin: 100,
          amountMax: 5000,
          countries: ['NL'],
          methods: ['ideal'],
          metadata: { channel: 'app' },
        },
        targets: [
          { providerAccountId: accountA, weight: 70 },
          { providerAccountId: accountB, weight: 30 },
        ],
        fallback: [accountB],
      }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^rr_/),
      name: 'EUR split',
      priority: 20,
      enabled: true,
      integrationId: null,
      conditions: {
        currencies: ['EUR'],
        amountMin: 100,
        amountMax: 5000,
        countries: ['NL'],
        methods: ['ideal'],
        metadata: { channel: 'app' },
      },
      targets: [
        { providerAccountId: accountA, weight: 70 },
        { providerAccountId: accountB, weight: 30 },
      ],
      fallback: [accountB],
    });
    const first = await post(rule({ name: 'first', priority: -10 }));
    expect(first.status).toBe(201);

    const got = await server.request('GET', `${RULES}/${created.body.id}`, { token: admin });
    expect(got.body).toEqual(created.body);
    const listed = await server.request('GET', `${RULES}?limit=1`, { token: admin });
    expect(listed.body.data.map((r: any) => r.name)).toEqual(['first']);
    const page2 = await server.request('GET', `${RULES}?limit=1&cursor=${listed.body.nextCursor}`, {
      token: admin,
    });
    expect(page2.body.data.map((r: any) => r.name)).toEqual(['EUR split']);

    const patched = await server.request('PATCH', `${RULES}/${created.body.id}`, {
      token: admin,
      body: { enabled: false, conditions: { currencies: ['USD'] } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      enabled: false,
      conditions: { currencies: ['USD'] },
      targets: created.body.targets,
    });

    expect(
      (await server.request('DELETE', `${RULES}/${created.body.id}`, { token: admin })).status,
    ).toBe(204);
    expect(
      (await server.request('GET', `${RULES}/${created.body.id}`, { token: admin })).status,
    ).toBe(404);
    expect(
      (await server.request('DELETE', `${RULES}/${first.body.id}`, { token: admin })).status,
    ).toBe(204);
  });

  it('refuses unknown accounts in targets and fallback, naming each field', async () => {
    const res = await post(
      rule({
        targets: [
          { providerAccountId: accountA, weight: 1 },
          { providerAccountId: 'pa_nope', weight: 1 },
        ],
        fallback: ['pa_gone'],
      }),
    );
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(fields(res.body)).toEqual(['targets[1].providerAccountId', 'fallback[0]']);
  });

  it('refuses empty targets, weights <= 0, a target named twice and a bad fallback list', async () => {
    expect(fields((await post(rule({ targets: [] }))).body)).toEqual(['targets']);
    const zero = await post(rule({ targets: [{ providerAccountId: accountA, weight: 0 }] }));
    expect(zero.status).toBe(400);
    expect(fields(zero.body)).toEqual(['targets[0].weight']);
    expect(zero.body.errors[0].message).toBe('must be greater than 0');
    expect(
      fields((await post(rule({ targets: [{ providerAccountId: accountA, weight: -5 }] }))).body),
    ).toEqual(['targets[0].weight']);
    expect(
      fields((await post(rule({ targets: [{ providerAccountId: accountA, weight: 1.5 }] }))).body),
    ).toEqual(['targets[0].weight']);
    const twice = await post(
      rule({
        targets: [
          { providerAccountId: accountA, weight: 1 },
          { providerAccountId: accountA, weight: 2 },
        ],
      }),
    );
    expect(fields(twice.body)).toEqual(['targets[1].providerAccountId']);
    expect(fields((await post(rule({ fallback: [accountB, accountB] }))).body)).toEqual([
      'fallback',
    ]);
  });

  it('refuses a priority already taken by a rule that can apply to the same payments', async () => {
    const integration = (
      await server.request('POST', '/api/v1/admin/integrations', {
        token: admin,
        body: { name: `shop-${dialect}-prio` },
      })
    ).body.id;
    const other = (
      await server.request('POST', '/api/v1/admin/integrations', {
        token: admin,
        body: { name: `shop-${dialect}-other` },
      })
    ).body.id;
    const scoped = await post(rule({ priority: 500, integrationId: integration }));
    expect(scoped.status).toBe(201);
    // Another integration may use the same number: their rules never meet.
    expect((await post(rule({ priority: 500, integrationId: other }))).status).toBe(201);
    const sameIntegration = await post(rule({ priority: 500, integrationId: integration }));
    expect(sameIntegration.status).toBe(400);
    expect(fields(sameIntegration.body)).toEqual(['priority']);
    expect(sameIntegration.body.errors[0].message).toContain(scoped.body.id);
    // A rule for every integration overlaps with both.
    expect(fields((await post(rule({ priority: 500 }))).body)).toEqual(['priority']);
    // Moving a rule onto a taken priority is refused too; moving it to a free one is fine.
    const movable = (await post(rule({ priority: 501, integrationId: integration }))).body;
    expect(
      fields(
        (
          await server.request('PATCH', `${RULES}/${movable.id}`, {
            token: admin,
            body: { priority: 500 },
          })
        ).body,
      ),
    ).toEqual(['priority']);
    expect(
      (
        await server.request('PATCH', `${RULES}/${movable.id}`, {
          token: admin,
          body: { priority: 502 },
        })
      ).status,
    ).toBe(200);
  });

  it('of two concurrent creates with the same priority, exactly one succeeds', async () => {
    const results = await Promise.all([
      post(rule({ priority: 777, name: 'one' })),
      post(rule({ priority: 777, name: 'two' })),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 400]);
    expect(fields(results.find((r) => r.status === 400)!.body)).toEqual(['priority']);
  });

  it('refuses bad conditions and unknown fields, naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ currencies: ['EURO'] }, 'conditions.currencies'],
      [{ currencies: [] }, 'conditions.currencies'],
      [{ countries: ['Netherlands'] }, 'conditions.countries'],
      [{ countries: ['nl'] }, 'conditions.countries'],
      [{ methods: ['cash'] }, 'conditions.methods'],
      [{ amountMin: -1 }, 'conditions.amountMin'],
      [{ amountMax: 10.5 }, 'conditions.amountMax'],
      [{ amountMin: 500, amountMax: 100 }, 'conditions.amountMax'],
      [{ metadata: { channel: 7 } }, 'conditions.metadata'],
      [{ colour: 'red' }, 'conditions.colour'],
    ];
    for (const [conditions, field] of cases) {
      const res = await post(rule({ conditions }));
      expect({ conditions, status: res.status, fields: fields(res.body) }).toEqual({
        conditions,
        status: 400,
        fields: [field],
      });
    }
    for (const [malformed, field] of [
      [{ targets: 'pa_x' }, 'targets'],
      [{ targets: [7] }, 'targets[0]'],
      [{ conditions: 'EUR' }, 'conditions'],
      [{ fallback: [7] }, 'fallback'],
      [{ fallback: 'pa_x' }, 'fallback'],
      [{ enabled: 'yes' }, 'enabled'],
    ] as [Record<string, unknown>, string][]) {
      const res = await post(rule(malformed));
      expect({ malformed, status: res.status, field: fields(res.body)[0] }).toEqual({
        malformed,
        status: 400,
        field,
      });
    }
    expect(fields((await post(rule({ integrationId: 'int_nope' }))).body)).toEqual([
      'integrationId',
    ]);
    expect(fields((await post({ ...rule(), extra: 1 })).body)).toEqual(['extra']);
    expect(new Set(fields((await post(rule({ priority: 'high' }))).body))).toEqual(
      new Set(['priority']),
    );
  });

  it('refuses null for a field a rule cannot be without, on create and on PATCH, naming it', async () => {
    const created = (await post(rule())).body;
    for (const field of ['name', 'priority', 'enabled', 'conditions', 'targets', 'fallback']) {
      const res = await server.request('PATCH', `${RULES}/${created.id}`, {
        token: admin,
        body: { [field]: null },
      });
      expect({ field, status: res.status, fields: new Set(fields(res.body)) }).toEqual({
        field,
        status: 400,
        fields: new Set([field]),
      });
    }
    for (const field of ['enabled', 'conditions', 'fallback']) {
      const res = await post(rule({ [field]: null }));
      expect({ field, status: res.status, fields: new Set(fields(res.body)) }).toEqual({
        field,
        status: 400,
        fields: new Set([field]),
      });
    }
    const kept = await server.request('GET', `${RULES}/${created.id}`, { token: admin });
    expect(kept.body).toMatchObject({ name: 'rule', enabled: true, conditions: {}, fallback: [] });
    // integrationId is the one that takes null: the rule then applies to every integration.
    const everyone = await server.request('PATCH', `${RULES}/${created.id}`, {
      token: admin,
      body: { integrationId: null },
    });
    expect(everyone.status).toBe(200);
  });

  it('documents the routing routes in Swagger', async () => {
    const doc = (await server.request('GET', '/swagger/json')).body;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        RULES,
        `${RULES}/{id}`,
        '/api/v1/admin/provider-accounts/{id}/health',
        '/api/v1/admin/stats',
      ]),
    );
  });

  it('is closed to API keys and to tokens without the admin scope', async () => {
    expect((await server.request('GET', RULES)).status).toBe(401);
    const weak = await server.adminToken({ scope: '' });
    expect((await server.request('GET', RULES, { token: weak })).status).toBe(403);
  });
});
