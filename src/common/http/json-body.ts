import type { IncomingMessage } from 'node:http';
import * as express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { DomainError, ValidationError } from '../errors/domain-error';
import { MAX_JSON_DEPTH, scanJson } from './json-scan';

/**
 * The media types the API reads as JSON (charset parameters allowed). The same list for the
 * parser and for the 415 check, both matched by type-is, so they cannot disagree.
 */
const JSON_MEDIA_TYPES = ['application/json', 'application/*+json'];

/** A body is coming: chunked, or a Content-Length above zero. */
function carriesBody(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  return Number(req.headers['content-length'] ?? 0) > 0;
}

function unsupportedMediaType(detail: string): DomainError {
  return new DomainError('unsupported_media_type', 415, 'Unsupported media type', detail);
}

/**
 * The API takes JSON only: a body of any other type (or of none) is 415 rather than read as
 * missing, which would answer 400 with every required field "missing". Requests without a
 * body (a POST …/capture with nothing to say) pass whatever their Content-Type.
 */
export function requireJsonBodies(): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!carriesBody(req) || req.is(JSON_MEDIA_TYPES)) {
      next();
      return;
    }
    next(
      unsupportedMediaType(
        'Request bodies must be sent with Content-Type: application/json (or application/*+json)',
      ),
    );
  };
}

/** The first field whose name or value holds a NUL character, named as validation errors name it. */
function fieldWithNul(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = fieldWithNul(value[i], `${path || 'body'}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return path || 'body';
    const found = fieldWithNul(item, path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}

/**
 * Runs on the raw bytes before they are parsed (body-parser's `verify`), so a body nested
 * deeper than MAX_JSON_DEPTH costs one scan and no parse: before authentication, and before
 * anything walks the parsed body recursively. A string with `\u0000` is refused too: PostgreSQL
 * cannot store it in a text column. Both are 400 problem+json naming the body (or the field).
 */
function refuseUnsafeJson(_req: IncomingMessage, _res: unknown, body: Buffer, encoding: string) {
  // The scan reads UTF-8 bytes; RFC 8259 allows nothing else between systems anyway.
  if (encoding !== 'utf-8')
    throw unsupportedMediaType('JSON request bodies must be UTF-8 (charset=utf-8)');
  const finding = scanJson(body, MAX_JSON_DEPTH);
  if (finding === 'too_deep')
    throw ValidationError.field(
      'body',
      `nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels (at most ${MAX_JSON_DEPTH} are allowed)`,
    );
  if (finding === 'nul') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return; // not JSON at all: the parser says so
    }
    throw ValidationError.field(
      fieldWithNul(parsed, '') ?? 'body',
      'must not contain the NUL character (\\u0000)',
    );
  }
}

/** express.json for the API: the JSON media types, depth- and NUL-checked before parsing. */
export function jsonBodyParser(limit: string): RequestHandler {
  return express.json({ limit, type: JSON_MEDIA_TYPES, verify: refuseUnsafeJson });
}
