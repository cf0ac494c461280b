import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import {
  destination,
  DestinationStream,
  Logger,
  LoggerOptions,
  pino,
  stdSerializers,
  stdTimeFunctions,
} from 'pino';
// nestjs-pino's request context, the one its own middleware fills; see LoggingModule.
import { storage, Store } from 'nestjs-pino/storage';
import pretty from 'pino-pretty';
import type { LoggingConfig } from '../../config/logging.config';
import { requestIdOf } from '../http/request-id';
import { redact, redactText, redactUrl } from './redact';

/** Probes that would otherwise fill the log with a line every few seconds. */
const QUIET_PATHS = /^\/(health\/(live|ready)|metrics)(\?|$)/;

/** The request line's `req` field. */
interface RequestFields {
  method: string;
  url: string;
  remoteAddress?: string;
}

/**
 * Every field of every line goes through redact() (secret-named keys, card-like numbers, API
 * keys), except req/res/err: their serializers below run after this and scrub what they keep.
 */
function redactFields(object: Record<string, unknown>): Record<string, unknown> {
  const { req, res, err, ...fields } = object;
  return { ...(redact(fields) as Record<string, unknown>), req, res, err };
}

/** The request line: middleware that logs each request once, and the logger behind it. */
export interface HttpLogger {
  (req: Request, res: Response, next: NextFunction): void;
  logger: Logger;
}

/**
 * The one pino logger (nestjs-pino puts it behind Nest's Logger) and the middleware that writes
 * one line per request: JSON (level as a word, ISO time) or pino-pretty; every line within a request carries
 * its `requestId` (the X-Request-Id that request-id.ts assigned); request lines show method,
 * path and status, never headers or bodies; everything is scrubbed by redact.ts.
 */
export function createHttpLogger(config: LoggingConfig, stream?: DestinationStream): HttpLogger {
  const options: LoggerOptions = {
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
      req: (req: RequestFields) => ({
        method: req.method,
        url: redactUrl(req.url),
        remoteAddress: req.remoteAddress,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: (err: Error) => redact(stdSerializers.err(err)),
    },
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
  const logger = pino(options, output);
  // The request line's req and res are built below, already scrubbed: made once, here.
  const access = logger.child({}, { serializers: { req: same, res: same } });

  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    const requestId = requestIdOf(req) ?? randomUUID();
    if (!QUIET_PATHS.test(req.url)) {
      const start = Date.now();
      let logged = false;
      const done = (): void => {
        if (logged) return;
        logged = true;
        res.removeListener('finish', done);
        res.removeListener('close', done);
        logRequest(access, req, res, requestId, Date.now() - start);
      };
      res.on('finish', done);
      res.on('close', done);
    }
    // Lines logged while handling the request carry its id (nestjs-pino reads this context).
    storage.run(new RequestLogContext(logger, requestId) as unknown as Store, next);
  };
  return Object.assign(middleware, { logger });
}

/**
 * The context of the HTTP request the calling code runs for: one object for the whole request
 * (the store the middleware above enters), undefined outside requests (jobs, start-up). Code that
 * needs to attach something to the request (the audit description of an admin write) keys it by
 * this object rather than entering an AsyncLocalStorage of its own: under Node 20's promise hooks
 * every enabled store is copied onto every promise the process makes, requests or not.
 */
export function currentRequestContext(): object | undefined {
  return storage.getStore();
}

const same = (value: unknown): unknown => value;

/** One line per request: method, scrubbed path, status, time; never headers or bodies. */
function logRequest(
  logger: Logger,
  req: Request,
  res: Response,
  requestId: string,
  responseTime: number,
): void {
  const url = redactUrl(req.originalUrl ?? req.url);
  const fields = {
    requestId,
    req: { method: req.method, url, remoteAddress: req.socket?.remoteAddress },
    res: { statusCode: res.statusCode },
    responseTime,
  };
  const msg = `${req.method} ${url} ${res.statusCode} ${responseTime} ms`;
  if (res.statusCode >= 500) logger.error(fields, msg);
  else logger.info(fields, msg);
}

/**
 * nestjs-pino's request context (its `Store`, read by every Nest `Logger` call): the child logger
 * with the request id is made the first time something logs during the request, which most
 * requests never do.
 */
class RequestLogContext {
  private child?: Logger;
  readonly responseLogger = undefined;

  constructor(
    private readonly root: Logger,
    private readonly requestId: string,
  ) {}

  get logger(): Logger {
    return (this.child ??= this.root.child({ requestId: this.requestId }));
  }

  /** PinoLogger.assign() replaces it with a child carrying more fields. */
  set logger(logger: Logger) {
    this.child = logger;
  }
}
