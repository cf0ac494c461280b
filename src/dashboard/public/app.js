// PaymentServer dashboard: a single page on the Admin API. It signs the operator in at the
// OpenID Connect provider (authorization code + PKCE, public client), keeps the access token in
// sessionStorage for this tab only, and builds every element with textContent, never innerHTML,
// because payment descriptions and references come from shops.

const TOKEN_KEY = 'paymentserver.dashboard.token';
const PKCE_KEY = 'paymentserver.dashboard.pkce';
const PROVIDERS = ['test', 'mollie', 'multisafepay', 'adyen', 'stripe', 'paypal'];
const PAYMENT_STATUSES = ['pending', 'authorized', 'paid', 'partially_refunded', 'refunded', 'failed', 'canceled', 'expired', 'charged_back'];
const EVENT_TYPES = ['payment.status_changed', 'refund.status_changed'];

const $ = (id) => document.getElementById(id);

/** h('td', { class: 'num', onclick: fn }, 'text', node, …): a DOM element; strings become text. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'value') el.value = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function flash(kind, ...content) {
  $('flash').replaceChildren(h('div', { class: kind }, ...content));
}

// ---------------------------------------------------------------- money, without floating point

/** The currency's minor-unit exponent (ISO 4217, as the browser's CLDR data knows it). */
function exponent(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

/** { value: 1050, currency: 'EUR' } -> "EUR 10.50", by string arithmetic on the integer. */
export function formatMoney(money) {
  if (!money) return '';
  const exp = exponent(money.currency);
  const negative = money.value < 0;
  const digits = String(Math.abs(money.value)).padStart(exp + 1, '0');
  const major = exp === 0 ? digits : digits.slice(0, -exp);
  const minor = exp === 0 ? '' : `.${digits.slice(-exp)}`;
  return `${money.currency} ${negative ? '-' : ''}${major}${minor}`;
}

/** "10.5" in EUR -> 1050; null for a malformed amount or too many decimals. */
export function parseMoney(text, currency) {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return null;
  const exp = exponent(currency);
  const fraction = match[2] ?? '';
  if (fraction.length > exp) return null;
  const minor = `${match[1]}${fraction.padEnd(exp, '0')}`.replace(/^0+(?=\d)/, '');
  return minor.length > 15 ? null : Number(minor);
}

// ---------------------------------------------------------------- sign-in (authorization code + PKCE)

let settings;
let discovery;

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString(bytes) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function redirectUri() {
  return `${location.origin}/dashboard/callback`;
}

async function loadDiscovery() {
  if (!discovery) {
    const res = await fetch(`${settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    if (!res.ok) throw new Error(`the identity provider's discovery document answered ${res.status}`);
    discovery = await res.json();
  }
  return discovery;
}

async function signIn() {
  const meta = await loadDiscovery();
  const verifier = randomString(32);
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const state = randomString(16);
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state, returnTo: location.hash || '#/payments' }));
  const url = new URL(meta.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: redirectUri(),
    scope: settings.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    // Providers that pick the API by audience (Auth0) need it; others ignore it.
    audience: settings.audience,
  }).toString();
  location.assign(url.toString());
}

async function completeSignIn(params) {
  const saved = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null');
  sessionStorage.removeItem(PKCE_KEY);
  if (params.get('error')) throw new Error(`sign-in refused: ${params.get('error_description') ?? params.get('error')}`);
  if (!saved || saved.state !== params.get('state')) throw new Error('sign-in answer does not match this tab (state); sign in again');
  const meta = await loadDiscovery();
  const res = await fetch(meta.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      redirect_uri: redirectUri(),
      client_id: settings.clientId,
      code_verifier: saved.verifier,
    }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok || !body.access_token) throw new Error(`token request failed: ${body.error_description ?? body.error ?? res.status}`);
  sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ accessToken: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 300) * 1000 }));
  history.replaceState(null, '', `/dashboard/${saved.returnTo}`);
}

function currentToken() {
  const saved = JSON.parse(sessionStorage.getItem(TOKEN_KEY) ?? 'null');
  if (!saved || saved.expiresAt <= Date.now()) return null;
  return saved.accessToken;
}

function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  render();
}

/** Who the token says we are, for the header only (the server does the checking). */
function tokenSubject(token) {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return payload.sub ?? payload.client_id ?? '';
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------- Admin API

class ApiError extends Error {}

async function api(method, path, body) {
  const token = currentToken();
  if (!token) {
    render();
    throw new ApiError('signed out');
  }
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method === 'POST') headers['idempotency-key'] = crypto.randomUUID();
  const res = await fetch(`/api/v1/admin${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401) {
    sessionStorage.removeItem(TOKEN_KEY);
    render();
    throw new ApiError('your session expired; sign in again');
  }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const fields = (data?.errors ?? []).map((e) => `${e.field}: ${e.message}`).join('; ');
    throw new ApiError(`${data?.detail ?? data?.title ?? `HTTP ${res.status}`}${fields ? ` (${fields})` : ''}`);
  }
  return data;
}

/** Runs an action, shows its error instead of throwing, then re-renders the view. */
function action(fn) {
  return async (event) => {
    event?.preventDefault?.();
    try {
      await fn(event);
      await render();
    } catch (error) {
      flash('error', error.message);
    }
  };
}

function query(params) {
  const clean = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return clean.length ? `?${new URLSearchParams(clean).toString()}` : '';
}

function json(text, field) {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(`${field} is not valid JSON`);
  }
}

// ---------------------------------------------------------------- building blocks

function table(rows, columns, empty = 'Nothing here yet.') {
  if (!rows.length) return h('p', {}, empty);
  return h(
    'table',
    {},
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', {}, c.label)))),
    h('tbody', {}, rows.map((row) => h('tr', {}, columns.map((c) => h('td', { class: c.num ? 'num' : undefined }, c.value(row)))))),
  );
}

function status(value) {
  return h('span', { class: `status ${value}` }, value);
}

function field(label, input) {
  return h('label', {}, label, input);
}

function formValues(form) {
  return Object.fromEntries(new FormData(form).entries());
}

function select(name, options, attrs = {}) {
  return h('select', { name, ...attrs }, options.map((o) => (typeof o === 'string' ? h('option', { value: o }, o) : h('option', { value: o.value }, o.label))));
}

function link(hash, text) {
  return h('a', { href: hash }, text);
}

function date(iso) {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '';
}

// ---------------------------------------------------------------- views

const views = {
  async payments(params) {
    const filters = { status: params.get('status'), integrationId: params.get('integrationId'), provider: params.get('provider'), cursor: params.get('cursor'), limit: 50 };
    const page = await api('GET', `/payments${query(filters)}`);
    const filter = h(
      'form',
      {
        class: 'inline',
        onsubmit: (e) => {
          e.preventDefault();
          const v = formValues(e.target);
          location.hash = `#/payments${query({ status: v.status, integrationId: v.integrationId, provider: v.provider })}`;
        },
      },
      field('Status', select('status', [{ value: '', label: 'any' }, ...PAYMENT_STATUSES])),
      field('Provider', select('provider', [{ value: '', label: 'any' }, ...PROVIDERS])),
      field('Integration id', h('input', { name: 'integrationId', value: filters.integrationId ?? '' })),
      h('button', { type: 'submit' }, 'Filter'),
    );
    filter.elements.status.value = filters.status ?? '';
    filter.elements.provider.value = filters.provider ?? '';
    return [
      h('h1', {}, 'Payments'),
      filter,
      table(page.data, [
        { label: 'Created', value: (p) => date(p.createdAt) },
        { label: 'Payment', value: (p) => link(`#/payments/${p.id}`, p.id) },
        { label: 'Reference', value: (p) => p.reference },
        { label: 'Amount', num: true, value: (p) => formatMoney(p.amount) },
        { label: 'Status', value: (p) => status(p.status) },
        { label: 'Provider', value: (p) => p.provider?.name ?? '' },
      ], 'No payments match.'),
      page.nextCursor ? h('p', {}, link(`#/payments${query({ ...filters, limit: undefined, cursor: page.nextCursor })}`, 'Older payments →')) : null,
    ];
  },

  async payment(params, id) {
    const [payment, events, refunds] = await Promise.all([
      api('GET', `/payments/${id}`),
      api('GET', `/payments/${id}/events`),
      api('GET', `/payments/${id}/refunds`),
    ]);
    const currency = payment.amount.currency;
    const actions = [];
    if (payment.status === 'authorized') {
      actions.push(h('button', { type: 'button', onclick: action(() => api('POST', `/payments/${id}/capture`, {})) }, 'Capture'));
    }
    if (['pending', 'authorized'].includes(payment.status)) {
      actions.push(h('button', { type: 'button', onclick: action(() => api('POST', `/payments/${id}/cancel`, {})) }, 'Cancel'));
    }
    if (['paid', 'partially_refunded'].includes(payment.status)) {
      actions.push(
        h(
          'form',
          {
            class: 'inline',
            id: 'refund-form',
            onsubmit: action(async (e) => {
              const v = formValues(e.target);
              const body = {};
              if (v.amount.trim()) {
                const value = parseMoney(v.amount, currency);
                if (value === null) throw new ApiError(`amount: not a valid ${currency} amount`);
                body.amount = { value, currency };
              }
              if (v.reason.trim()) body.reason = v.reason.trim();
              const refund = await api('POST', `/payments/${id}/refunds`, body);
              flash('notice', `Refund ${refund.id} of ${formatMoney(refund.amount)} is ${refund.status}.`);
            }),
          },
          field(`Refund amount (${currency}, empty for all that is left)`, h('input', { name: 'amount', inputmode: 'decimal' })),
          field('Reason', h('input', { name: 'reason' })),
          h('button', { type: 'submit' }, 'Refund'),
        ),
      );
    }
    return [
      h('h1', {}, `Payment ${payment.id} `, status(payment.status)),
      h(
        'dl',
        {},
        [
          ['Amount', formatMoney(payment.amount)],
        ['Captured', formatMoney({ value: payment.amountCaptured, currency })],
        ['Refunded', formatMoney({ value: payment.amountRefunded, currency })],
        ['Description', payment.description],
        ['Reference', payment.reference],
        ['Method', payment.method ?? 'any'],
        ['Capture mode', payment.captureMode],
        ['Provider', `${payment.provider?.name ?? ''} · account ${payment.provider?.accountId ?? ''} · ${payment.provider?.paymentId ?? ''}`],
        ['Routing', payment.routing?.reason ?? ''],
        ['Failure', payment.failure ? `${payment.failure.code}: ${payment.failure.message}` : 'none'],
        ['Created', date(payment.createdAt)],
      ].flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '')])),
      actions.length ? h('h2', {}, 'Actions') : null,
      ...actions,
      h('h2', {}, 'Refunds'),
      table(refunds.data, [
        { label: 'Refund', value: (r) => r.id },
        { label: 'Amount', num: true, value: (r) => formatMoney(r.amount) },
        { label: 'Status', value: (r) => status(r.status) },
        { label: 'Reason', value: (r) => r.reason ?? '' },
        { label: 'Created', value: (r) => date(r.createdAt) },
      ], 'No refunds.'),
      h('h2', {}, 'Status history'),
      table(events.data, [
        { label: 'When', value: (e) => date(e.createdAt) },
        { label: 'Event', value: (e) => e.type },
        { label: 'Change', value: (e) => `${e.fromStatus ?? '—'} → ${e.toStatus}` },
        { label: 'Source', value: (e) => e.source },
        { label: 'Ignored', value: (e) => (e.ignored ? 'yes (would move backwards)' : '') },
      ]),
      routingAttempts(payment),
    ];
  },

  async integrations() {
    const [integrations, accounts] = await Promise.all([api('GET', '/integrations?limit=100'), api('GET', '/provider-accounts?limit=100')]);
    const accountOptions = [{ value: '', label: 'none' }, ...accounts.data.map((a) => ({ value: a.id, label: `${a.name} (${a.provider})` }))];
    return [
      h('h1', {}, 'Integrations'),
      table(integrations.data, [
        { label: 'Name', value: (i) => i.name },
        { label: 'Id', value: (i) => i.id },
        { label: 'Default account', value: (i) => i.defaultProviderAccountId ?? '' },
        { label: 'OIDC client', value: (i) => i.oidcClientId ?? '' },
        {
          label: 'API keys',
          value: (i) =>
            h(
              'div',
              {},
              i.apiKeys
                .filter((k) => !k.revokedAt)
                .map((k) =>
                  h('div', {}, `${k.prefix}… `, h('button', { type: 'button', onclick: action(() => api('DELETE', `/integrations/${i.id}/api-keys/${k.id}`)) }, 'Revoke')),
                ),
              h(
                'button',
                {
                  type: 'button',
                  onclick: async () => {
                    try {
                      const created = await api('POST', `/integrations/${i.id}/api-keys`, {});
                      await render();
                      flash('notice', `New API key for ${i.name}, shown only this once: `, h('code', { class: 'secret' }, created.key));
                    } catch (error) {
                      flash('error', error.message);
                    }
                  },
                },
                'New API key',
              ),
            ),
        },
        { label: '', value: (i) => h('button', { type: 'button', onclick: action(() => api('DELETE', `/integrations/${i.id}`)) }, 'Delete') },
      ]),
      h('h2', {}, 'New integration'),
      h(
        'form',
        {
          class: 'inline',
          id: 'integration-form',
          onsubmit: action((e) => {
            const v = formValues(e.target);
            return api('POST', '/integrations', {
              name: v.name,
              defaultProviderAccountId: v.defaultProviderAccountId || undefined,
              oidcClientId: v.oidcClientId || undefined,
            });
          }),
        },
        field('Name', h('input', { name: 'name', required: true })),
        field('Default provider account', select('defaultProviderAccountId', accountOptions)),
        field('OIDC client id (optional)', h('input', { name: 'oidcClientId' })),
        h('button', { type: 'submit' }, 'Create'),
      ),
    ];
  },

  async 'provider-accounts'() {
    const accounts = await api('GET', '/provider-accounts?limit=100');
    return [
      h('h1', {}, 'Provider accounts'),
      table(accounts.data, [
        { label: 'Name', value: (a) => a.name },
        { label: 'Provider', value: (a) => a.provider },
        { label: 'Id', value: (a) => a.id },
        { label: 'Mode', value: (a) => (a.testMode ? 'test' : 'live') },
        { label: 'Enabled', value: (a) => (a.enabled ? 'yes' : 'no') },
        { label: 'Webhook URL to register', value: (a) => h('code', {}, a.webhookUrl ?? '') },
        {
          label: '',
          value: (a) =>
            h(
              'div',
              {},
              h('button', { type: 'button', onclick: action(() => api('PATCH', `/provider-accounts/${a.id}`, { enabled: !a.enabled })) }, a.enabled ? 'Disable' : 'Enable'),
              h('button', { type: 'button', onclick: action(() => api('DELETE', `/provider-accounts/${a.id}`)) }, 'Delete'),
            ),
        },
      ]),
      h('h2', {}, 'New provider account'),
      h(
        'form',
        {
          class: 'inline',
          id: 'account-form',
          onsubmit: action((e) => {
            const v = formValues(e.target);
            return api('POST', '/provider-accounts', {
              provider: v.provider,
              name: v.name,
              credentials: json(v.credentials, 'credentials') ?? {},
              settings: json(v.settings, 'settings'),
              baseUrl: v.baseUrl || undefined,
              testMode: v.testMode === 'on',
              enabled: v.enabled === 'on',
            });
          }),
        },
        field('Provider', select('provider', PROVIDERS)),
        field('Name', h('input', { name: 'name', required: true })),
        field('Credentials (JSON, write-only)', h('textarea', { name: 'credentials', placeholder: '{ "apiKey": "test_…" }' })),
        field('Settings (JSON)', h('textarea', { name: 'settings', placeholder: '{}' })),
        field('Base URL (optional)', h('input', { name: 'baseUrl', type: 'url' })),
        field('Test mode', h('input', { name: 'testMode', type: 'checkbox', checked: true })),
        field('Enabled', h('input', { name: 'enabled', type: 'checkbox', checked: true })),
        h('button', { type: 'submit' }, 'Create'),
      ),
    ];
  },

  async 'routing-rules'() {
    const rules = await api('GET', '/routing-rules?limit=100');
    return [
      h('h1', {}, 'Routing rules'),
      h('p', {}, 'The first enabled rule whose conditions all hold decides, lowest priority first; without one, the integration’s default account.'),
      table(rules.data, [
        { label: 'Priority', num: true, value: (r) => r.priority },
        { label: 'Name', value: (r) => r.name },
        { label: 'Integration', value: (r) => r.integrationId ?? 'all' },
        { label: 'Conditions', value: (r) => h('code', {}, JSON.stringify(r.conditions)) },
        { label: 'Targets', value: (r) => r.targets.map((t) => `${t.providerAccountId} ×${t.weight}`).join(', ') },
        { label: 'Fallback', value: (r) => (r.fallback ?? []).join(' → ') },
        {
          label: '',
          value: (r) =>
            h(
              'div',
              {},
              h('button', { type: 'button', onclick: action(() => api('PATCH', `/routing-rules/${r.id}`, { enabled: !r.enabled })) }, r.enabled ? 'Disable' : 'Enable'),
              h('button', { type: 'button', onclick: action(() => api('DELETE', `/routing-rules/${r.id}`)) }, 'Delete'),
            ),
        },
      ]),
      h('h2', {}, 'New rule'),
      h(
        'form',
        { class: 'inline', id: 'rule-form', onsubmit: action((e) => api('POST', '/routing-rules', json(formValues(e.target).rule, 'rule'))) },
        field(
          'Rule (JSON)',
          h('textarea', {
            name: 'rule',
            rows: 8,
            value: JSON.stringify({ name: 'EUR to Mollie', priority: 10, enabled: true, integrationId: null, conditions: { currencies: ['EUR'] }, targets: [{ providerAccountId: 'pa_…', weight: 1 }], fallback: [] }, null, 2),
          }),
        ),
        h('button', { type: 'submit' }, 'Create'),
      ),
    ];
  },

  async 'notification-endpoints'(params) {
    const [endpoints, integrations] = await Promise.all([api('GET', '/notification-endpoints?limit=100'), api('GET', '/integrations?limit=100')]);
    const open = params.get('deliveries');
    const deliveries = open ? await api('GET', `/notification-endpoints/${open}/deliveries?limit=50`) : null;
    return [
      h('h1', {}, 'Notification endpoints'),
      table(endpoints.data, [
        { label: 'Id', value: (n) => n.id },
        { label: 'Integration', value: (n) => n.integrationId },
        { label: 'Type', value: (n) => n.type },
        { label: 'Target', value: (n) => n.url ?? n.exchange ?? '' },
        { label: 'Events', value: (n) => (n.events ?? []).join(', ') },
        { label: 'Enabled', value: (n) => (n.enabled ? 'yes' : `no${n.disabledReason ? ` (${n.disabledReason})` : ''}`) },
        {
          label: '',
          value: (n) =>
            h(
              'div',
              {},
              link(`#/notification-endpoints?deliveries=${n.id}`, 'Deliveries'),
              ' ',
              h('button', { type: 'button', onclick: action(() => api('PATCH', `/notification-endpoints/${n.id}`, { enabled: !n.enabled })) }, n.enabled ? 'Disable' : 'Enable'),
              h('button', { type: 'button', onclick: action(() => api('DELETE', `/notification-endpoints/${n.id}`)) }, 'Delete'),
            ),
        },
      ]),
      deliveries
        ? [
            h('h2', {}, `Deliveries of ${open}`),
            table(deliveries.data, [
              { label: 'Delivery', value: (d) => d.id },
              { label: 'Event', value: (d) => `${d.eventType ?? ''} ${d.eventId ?? ''}` },
              { label: 'Status', value: (d) => status(d.status) },
              { label: 'Attempts', num: true, value: (d) => d.attemptCount },
              { label: 'Last answer', value: (d) => d.lastResponseCode ?? d.lastError ?? '' },
              {
                label: '',
                value: (d) =>
                  d.status === 'delivered' ? '' : h('button', { type: 'button', onclick: action(() => api('POST', `/notification-endpoints/${open}/deliveries/${d.id}/retry`, {})) }, 'Retry now'),
              },
            ], 'No deliveries yet.'),
          ]
        : null,
      h('h2', {}, 'New endpoint'),
      h(
        'form',
        {
          class: 'inline',
          id: 'endpoint-form',
          onsubmit: async (e) => {
            e.preventDefault();
            const v = formValues(e.target);
            try {
              const created = await api('POST', '/notification-endpoints', {
                integrationId: v.integrationId,
                type: v.type,
                url: v.type === 'webhook' ? v.target : undefined,
                exchange: v.type === 'rabbitmq' && v.target ? v.target : undefined,
                events: v.events.split(',').map((s) => s.trim()).filter(Boolean),
              });
              await render();
              if (created.secret) flash('notice', 'Signing secret, shown only this once: ', h('code', { class: 'secret' }, created.secret));
            } catch (error) {
              flash('error', error.message);
            }
          },
        },
        field('Integration', select('integrationId', integrations.data.map((i) => ({ value: i.id, label: i.name })))),
        field('Type', select('type', ['webhook', 'rabbitmq'])),
        field('URL (webhook) or exchange (rabbitmq)', h('input', { name: 'target' })),
        field('Events (comma-separated)', h('input', { name: 'events', value: EVENT_TYPES.join(', ') })),
        h('button', { type: 'submit' }, 'Create'),
      ),
    ];
  },

  async stats(params) {
    const groupBy = params.get('groupBy') ?? 'provider';
    const from = params.get('from') ?? '';
    const to = params.get('to') ?? '';
    const stats = await api('GET', `/stats${query({ groupBy, from, to })}`);
    const form = h(
      'form',
      {
        class: 'inline',
        onsubmit: (e) => {
          e.preventDefault();
          location.hash = `#/stats${query(formValues(e.target))}`;
        },
      },
      field('Group by', select('groupBy', ['provider', 'day', 'status'])),
      field('From', h('input', { name: 'from', type: 'date', value: from })),
      field('To', h('input', { name: 'to', type: 'date', value: to })),
      h('button', { type: 'submit' }, 'Show'),
    );
    form.elements.groupBy.value = groupBy;
    return [
      h('h1', {}, 'Statistics'),
      form,
      table(stats.data, [
        { label: groupBy, value: (s) => s.key },
        { label: 'Payments', num: true, value: (s) => s.count },
        { label: 'Paid', num: true, value: (s) => s.paidCount },
        // successRate arrives as the server computed it; shown, never used for money.
        { label: 'Success rate', num: true, value: (s) => (s.successRate === null || s.successRate === undefined ? '' : `${s.successRate}`) },
        { label: 'Volume', num: true, value: (s) => (s.volume ?? []).map(formatMoney).join(', ') },
      ], 'No payments in this period.'),
    ];
  },
};

function routingAttempts(payment) {
  const attempts = payment.routing?.attempts ?? [];
  if (!attempts.length) return null;
  return [
    h('h2', {}, 'Routing attempts'),
    table(attempts, [
      { label: 'Account', value: (a) => a.providerAccountId },
      { label: 'Outcome', value: (a) => a.outcome },
      { label: 'Error', value: (a) => (a.error ? `${a.error.code ?? ''} ${a.error.message ?? ''}` : '') },
    ]),
  ];
}

const NAV = [
  ['payments', 'Payments'],
  ['integrations', 'Integrations'],
  ['provider-accounts', 'Provider accounts'],
  ['routing-rules', 'Routing'],
  ['notification-endpoints', 'Notifications'],
  ['stats', 'Statistics'],
];

function parseHash() {
  const [path, search] = (location.hash.replace(/^#\/?/, '') || 'payments').split('?');
  const [section, id] = path.split('/');
  return { section, id, params: new URLSearchParams(search ?? '') };
}

async function render() {
  const token = currentToken();
  const { section, id, params } = parseHash();
  $('nav').replaceChildren(...NAV.map(([key, label]) => h('a', { href: `#/${key}`, class: key === section ? 'active' : undefined }, label)));
  $('who').textContent = token ? tokenSubject(token) : '';
  const button = $('auth-button');
  button.textContent = token ? 'Sign out' : 'Sign in';
  button.onclick = token ? signOut : () => signIn().catch((error) => flash('error', error.message));
  if (!token) {
    $('view').replaceChildren(h('h1', {}, 'Sign in'), h('p', {}, `Sign in at ${settings.issuer} with an account that has the admin scope or role.`));
    return;
  }
  const view = section === 'payments' && id ? (p) => views.payment(p, id) : views[section];
  if (!view) {
    $('view').replaceChildren(h('p', {}, 'Unknown page.'));
    return;
  }
  try {
    $('view').replaceChildren(...[await view(params)].flat(2).filter(Boolean));
  } catch (error) {
    if (!(error instanceof ApiError && error.message === 'signed out')) flash('error', error.message);
  }
}

async function start() {
  settings = await (await fetch('/dashboard/config.json')).json();
  if (location.pathname.endsWith('/callback')) {
    try {
      await completeSignIn(new URLSearchParams(location.search));
    } catch (error) {
      history.replaceState(null, '', '/dashboard/');
      flash('error', error.message);
    }
  }
  window.addEventListener('hashchange', () => {
    $('flash').replaceChildren();
    void render();
  });
  await render();
}

void start();
