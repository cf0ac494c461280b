import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { destination, DestinationStream, stdSerializers, stdTimeFunctions } from 'pino';
import { HttpLogger, Options, pinoHttp } from 'pino-http';
import pretty from 'pino-pretty';
import type { LoggingConfig } from '../../config/logging.config';
import { requestIdOf } from '../http/request-id';
import { redact, redactText, redactUrl } from './redact';

/** Probes that would otherwise fill the log with a line every few seconds. */
const QUIET_PATHS = /^\/(health\/(live|ready)|metrics)(\?|$)/;

/** What pino-http's request serializer hands us (pino-std-serializers' shape). */
interface SerializedRequest {
  method: string;
  url: string;
  remoteAddress?: string;
}

/**
 * Every field of every line goes through redact() (secret-named keys, card-like numbers, API
 * keys), except the raw req/res/err objects: their serializers below run after this and scrub
 * what they keep.
 */
function redactFields(object: Record<string, unknown>): Record<string, unknown> {
  const { req, res, err, ...fields } = object;
  return { ...(redact(fields) as Record<string, unknown>), req, res, err };
}

function requestLine(req: IncomingMessage, res: ServerResponse, responseTime?: number): string {
  const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '';
  const line = `${req.method} ${redactUrl(url)} ${res.statusCode}`;
  return responseTime === undefined ? line : `${line} ${responseTime} ms`;
}

/**
 * The one pino logger, as pino-http's middleware (whose `.logger` nestjs-pino puts behind Nest's
 * Logger): JSON (level as a word, ISO time) or pino-pretty; every line within a request carries
 * its `requestId` (the X-Request-Id that request-id.ts assigned); request lines show method,
 * path and status, never headers or bodies; everything is scrubbed by redact.ts.
 */
export function createHttpLogger(config: LoggingConfig, stream?: DestinationStream): HttpLogger {
  const options: Options = {
    level: config.level,
    timestamp: stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: redactFields,
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((arg: unknown) =>
          typeof arg === 'string' ? redactText(arg) : arg,
        );
        method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
    serializers: {
      req: (req: SerializedRequest) => ({
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: (err: Error) => redact(stdSerializers.err(err)),
    },
    genReqId: (req) => requestIdOf(req as never) ?? randomUUID(),
    customAttributeKeys: { reqId: 'requestId' },
    // Lines logged during a request carry only its id; the request itself is on its own line.
    quietReqLogger: true,
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    customSuccessMessage: requestLine,
    customErrorMessage: (req, res) => requestLine(req, res),
    autoLogging: { ignore: (req) => QUIET_PATHS.test(req.url ?? '') },
  };
  const output =
    stream ??
    (config.format === 'pretty'
      ? pretty({
          sync: true,
          colorize: process.stdout.isTTY === true,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,context,requestId,req,res,responseTime',
          messageFormat: '{if context}[{context}] {end}{msg}{if requestId} ({requestId}){end}',
        })
      : // Asynchronous: a synchronous write to a pipe whose reader lags (a container runtime,
        // a log shipper) stalls the event loop, and with a line per request that capped the
        // server at a fraction of its throughput. Lines written while one write is in flight
        // leave together in the next; pino flushes what is left when the process exits.
        destination({ dest: 1, sync: false }));
  return pinoHttp(options, output);
}
