import type { Request, Response } from 'express';
import { requestPreamble } from './request-preamble';
import { helmetHeaders } from './security-headers';

function answer(path: string, headers: Record<string, string> = {}) {
  const set = new Map<string, string>();
  const req = { path, headers } as unknown as Request;
  const res = {
    setHeader: (name: string, value: string) => set.set(name.toLowerCase(), value),
  } as unknown as Response;
  const timed: Request[] = [];
  const next = jest.fn();
  requestPreamble({
    headers: [
      ['X-One', '1'],
      ['X-Two', '2'],
    ],
    noStore: /^\/api(?:\/|$)/i,
    time: (r) => timed.push(r),
  })(req, res, next);
  return { set, req, timed, next };
}

describe('requestPreamble', () => {
  it('times the request, gives it an id and sets the fixed headers, then goes on', () => {
    const { set, req, timed, next } = answer('/health/live', { 'x-request-id': 'shop-1' });
    expect(timed).toEqual([req]);
    expect(Object.fromEntries(set)).toEqual({
      'x-request-id': 'shop-1',
      'x-one': '1',
      'x-two': '2',
    });
    expect(next).toHaveBeenCalledWith();
  });

  it('adds no-store to /api and below in any letter case, as app.use("/api") matched', () => {
    for (const path of ['/api', '/api/', '/api/v1/payments', '/API/v1/Payments']) {
      expect(answer(path).set.get('cache-control')).toBe('no-store');
    }
    for (const path of ['/apis', '/api-docs', '/dashboard/api', '/health/live']) {
      expect(answer(path).set.has('cache-control')).toBe(false);
    }
  });
});

describe('helmetHeaders', () => {
  it("records helmet's default headers once, as name and value", () => {
    const headers = new Map(helmetHeaders());
    expect(headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(headers.get('Content-Security-Policy')).toContain("default-src 'self'");
    expect(headers.size).toBe(12);
  });
});
