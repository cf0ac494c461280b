import { MAX_JSON_DEPTH, scanJson } from './json-scan';

const scan = (text: string, maxDepth?: number) => scanJson(Buffer.from(text, 'utf8'), maxDepth);
const nested = (levels: number, inner = '') => '['.repeat(levels) + inner + ']'.repeat(levels);

describe('scanJson', () => {
  it('passes an ordinary body', () => {
    const body = JSON.stringify({
      amount: { value: 1050, currency: 'EUR' },
      lines: [{ name: 'Book', unitPrice: { value: 1, currency: 'EUR' } }],
      metadata: { note: 'ça va, 東京' },
    });
    expect(scan(body)).toBe('ok');
  });

  it(`allows exactly ${MAX_JSON_DEPTH} levels and refuses one more`, () => {
    expect(scan(nested(MAX_JSON_DEPTH))).toBe('ok');
    expect(scan(nested(MAX_JSON_DEPTH + 1))).toBe('too_deep');
    expect(scan(`{"a":${nested(MAX_JSON_DEPTH - 1)}}`)).toBe('ok');
    expect(scan(`{"a":{"b":${nested(MAX_JSON_DEPTH - 1)}}}`)).toBe('too_deep');
  });

  it('counts depth, not brackets: siblings never add up', () => {
    const siblings = `[${Array.from({ length: 1000 }, () => nested(MAX_JSON_DEPTH - 1)).join(',')}]`;
    expect(scan(siblings)).toBe('ok');
  });

  it('stops at the first level over the limit of a 1 MB body', () => {
    expect(scan(nested(500_000))).toBe('too_deep');
  });

  it('takes its limit as a parameter', () => {
    expect(scan(nested(3), 3)).toBe('ok');
    expect(scan(nested(4), 3)).toBe('too_deep');
  });

  it('ignores brackets inside strings', () => {
    expect(scan(JSON.stringify({ a: '['.repeat(100), b: '{'.repeat(100) }))).toBe('ok');
  });

  it('keeps an escaped quote inside its string', () => {
    // The string is `x"[[[…`: the brackets are still text.
    expect(scan(`{"a":"x\\"${'['.repeat(100)}"}`)).toBe('ok');
  });

  it('ends a string at a quote after an escaped backslash', () => {
    // The string is `x\`; the brackets after it are structure.
    expect(scan(`["x\\\\",${nested(MAX_JSON_DEPTH)}]`)).toBe('too_deep');
    expect(scan(`["x\\\\",${nested(MAX_JSON_DEPTH - 1)}]`)).toBe('ok');
  });

  it('finds the \\u0000 escape in values and keys', () => {
    expect(scan(JSON.stringify({ description: 'a\u0000b' }))).toBe('nul');
    expect(scan(JSON.stringify({ ['k\u0000']: 'v' }))).toBe('nul');
    expect(scan('{"a":"\\u0000"}')).toBe('nul');
  });

  it('takes an escaped backslash followed by u0000 for the text it is', () => {
    expect(scan(JSON.stringify({ description: 'a\\u0000b' }))).toBe('ok');
    expect(scan('{"a":"\\\\u0000"}')).toBe('ok');
    // An escaped backslash, then a real \u0000 escape.
    expect(scan('{"a":"\\\\\\u0000"}')).toBe('nul');
  });

  it('takes no other escape, nor the text u0000, for NUL', () => {
    expect(scan('{"a":"\\u0001\\u0010\\u1000","b":"u0000","\\n":"\\"u0000"}')).toBe('ok');
    expect(scan('{"a":"\\u00000"}')).toBe('nul');
  });

  it('reports depth over NUL: a deep body is refused unparsed whatever else it holds', () => {
    expect(scan(`["\\u0000",${nested(MAX_JSON_DEPTH)}]`)).toBe('too_deep');
  });
});
