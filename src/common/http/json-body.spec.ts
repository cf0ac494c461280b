import { Readable } from 'node:stream';
import type { Request, Response } from 'express';
import { DomainError, ValidationError } from '../errors/domain-error';
import { jsonBodyParser } from './json-body';

/** Runs the parser on one request; what it handed to next() and the body it set. */
function parse(
  text: string,
  contentType = 'application/json',
): Promise<{ error?: unknown; body?: unknown }> {
  const bytes = Buffer.from(text, 'utf8');
  const req = Object.assign(Readable.from([bytes]), {
    headers: { 'content-type': contentType, 'content-length': String(bytes.length) },
    method: 'POST',
    url: '/',
  }) as unknown as Request;
  return new Promise((resolve) => {
    void jsonBodyParser('1mb')(req, {} as Response, (error?: unknown) =>
      resolve({ error, body: req.body as unknown }),
    );
  });
}

const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

describe('jsonBodyParser', () => {
  it('parses an ordinary body, and application/*+json too', async () => {
    expect(await parse('{"a":{"b":[1]}}')).toEqual({ error: undefined, body: { a: { b: [1] } } });
    expect((await parse('{"a":1}', 'application/vnd.shop+json; charset=utf-8')).body).toEqual({
      a: 1,
    });
  });

  it('refuses a body nested too deep before parsing it, naming the body and the limit', async () => {
    const { error, body } = await parse(`{"a":${nested(100_000)}}`);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors).toEqual([
      { field: 'body', message: expect.stringContaining('at most 32') },
    ]);
    expect(body).toBeUndefined();
  });

  it.each([
    ['{"description":"a\\u0000b"}', 'description'],
    ['{"metadata":{"note":"x\\u0000"}}', 'metadata.note'],
    ['{"lines":[{"name":"ok"},{"name":"\\u0000"}]}', 'lines[1].name'],
    ['{"metadata":{"k\\u0000":"v"}}', 'metadata'],
    ['{"k\\u0000":"v"}', 'body'],
    ['["\\u0000"]', 'body[0]'],
  ])('refuses %s naming %s', async (text, field) => {
    const { error } = await parse(text);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors).toEqual([
      { field, message: 'must not contain the NUL character (\\u0000)' },
    ]);
  });

  it('leaves a malformed body with \\u0000 to the parser (400 bad_request, not validation)', async () => {
    const { error } = await parse('{"a":"\\u0000",');
    expect(error).not.toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ status: 400, type: 'entity.parse.failed' });
  });

  it('refuses JSON in another charset than UTF-8 with 415', async () => {
    const { error } = await parse('{"a":1}', 'application/json; charset=utf-16');
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ status: 415, code: 'unsupported_media_type' });
  });
});
