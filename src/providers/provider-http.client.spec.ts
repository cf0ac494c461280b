import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderHttpClient, ProviderCallObserver, statusClass } from './provider-http.client';
import { ProviderError } from './provider-error';

describe('statusClass', () => {
  it.each([
    [200, '2xx'],
    [201, '2xx'],
    [302, '3xx'],
    [404, '4xx'],
    [422, '4xx'],
    [500, '5xx'],
    [503, '5xx'],
  ])('maps HTTP %i to %s', (status, expected) => {
    expect(statusClass(status)).toBe(expected);
  });

  it('tells a timeout from any other failure without a status', () => {
    expect(statusClass(undefined, 'timeout')).toBe('timeout');
    expect(statusClass(undefined, 'connection_failed')).toBe('error');
    expect(statusClass(undefined)).toBe('error');
  });
});

describe('ProviderHttpClient timing', () => {
  const realFetch = global.fetch;
  afterEach(() => {
    global.fetch = realFetch;
  });

  function client() {
    const observed: { labels: Record<string, string>; seconds: number }[] = [];
    const observer: ProviderCallObserver = {
      observe: (labels, seconds) => observed.push({ labels, seconds }),
    };
    const http = new ProviderHttpClient('mollie', 'pa_1', {}, observer);
    return { http, observed };
  }

  it('observes an answered call with its status class, not its URL', async () => {
    global.fetch = jest.fn().mockResolvedValue(new Response('{"error":"nope"}', { status: 422 }));
    const { http, observed } = client();
    const response = await http.request({
      method: 'POST',
      url: 'https://api.mollie.test/v2/payments/tr_secret123?key=x',
    });
    expect(response.status).toBe(422);
    expect(observed).toHaveLength(1);
    expect(observed[0].labels).toEqual({ provider: 'mollie', method: 'POST', status_class: '4xx' });
    expect(observed[0].seconds).toBeGreaterThanOrEqual(0);
  });

  it('observes a timeout as "timeout" and a refused connection as "error"', async () => {
    const { http, observed } = client();
    global.fetch = jest
      .fn()
      .mockRejectedValue(Object.assign(new Error('timed out'), { name: 'TimeoutError' }));
    await expect(
      http.request({ method: 'GET', url: 'https://api.mollie.test/v2/payments/tr_1' }),
    ).rejects.toBeInstanceOf(ProviderError);
    global.fetch = jest
      .fn()
      .mockRejectedValue(
        Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      );
    await expect(
      http.request({ method: 'GET', url: 'https://api.mollie.test/v2/payments/tr_1' }),
    ).rejects.toBeInstanceOf(ProviderError);
    expect(observed.map((o) => o.labels.status_class)).toEqual(['timeout', 'error']);
  });

  it('does not observe a call it never made (time budget spent)', async () => {
    global.fetch = jest.fn();
    const observed: unknown[] = [];
    const http = new ProviderHttpClient(
      'mollie',
      'pa_1',
      { deadline: Date.now() - 1 },
      { observe: () => observed.push(1) },
    );
    await expect(
      http.request({ method: 'GET', url: 'https://api.mollie.test/v2/payments/tr_1' }),
    ).rejects.toThrow('time budget');
    expect(global.fetch).not.toHaveBeenCalled();
    expect(observed).toHaveLength(0);
  });
});

describe('ProviderHttpClient against a real socket', () => {
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      // Headers and the start of a body, then nothing more (or a reset): a PSP that stalls mid-answer.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":');
      if (req.url === '/reset') setTimeout(() => req.socket.destroy(), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('turns a body that stops coming into a retryable timeout', async () => {
    const client = new ProviderHttpClient('mollie', 'pa_1', { timeoutMs: 200 });
    const failure = await client
      .request({ method: 'GET', url: `${url}/stall` })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProviderError);
    expect(failure).toMatchObject({ code: 'timeout', retryable: true });
  });

  it('turns a connection reset mid-body into a retryable connection failure', async () => {
    const client = new ProviderHttpClient('mollie', 'pa_1', { timeoutMs: 5000 });
    const failure = await client
      .request({ method: 'GET', url: `${url}/reset` })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ProviderError);
    expect(failure).toMatchObject({ code: 'connection_failed', retryable: true });
  });
});
