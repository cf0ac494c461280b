import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, FieldError } from './domain-error';
import { requestIdOf } from '../http/request-id';
import { isDatabaseUnavailable } from '../../database/transaction.service';

/** Seconds a client is asked to wait after a `503` for a busy or unreachable database. */
const DATABASE_RETRY_AFTER_SECONDS = 1;

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  correlationId?: string;
  errors?: FieldError[];
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable',
  429: 'rate_limited',
  503: 'service_unavailable',
};

export function problem(
  status: number,
  code: string,
  title: string,
  detail: string,
  errors?: FieldError[],
): ProblemDetails {
  return {
    type: `https://paymentserver.dev/problems/${code.replace(/_/g, '-')}`,
    title,
    status,
    detail,
    code,
    ...(errors ? { errors } : {}),
  };
}

/** The one place that turns errors into application/problem+json (RFC 9457). */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const response = ctx.getResponse<Response>();
    const request = ctx.getRequest<Request>();
    const body = this.toProblem(exception, request);
    body.correlationId = requestIdOf(request);
    if (response.headersSent) return;
    if (body.code === 'database_unavailable')
      response.setHeader('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    response.status(body.status).type('application/problem+json').send(JSON.stringify(body));
  }

  private toProblem(exception: unknown, request: Request): ProblemDetails {
    if (exception instanceof DomainError) {
      return problem(
        exception.status,
        exception.code,
        exception.title,
        exception.message,
        exception.errors,
      );
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const detail =
        typeof response === 'string'
          ? response
          : String((response as { message?: unknown }).message ?? exception.message);
      return problem(
        status,
        CODE_BY_STATUS[status] ?? 'error',
        HttpStatus[status]?.replace(/_/g, ' ').toLowerCase() ?? 'Error',
        detail,
      );
    }
    // body-parser errors carry their own status (413 too large, 400 malformed JSON).
    const parserError = exception as { status?: number; type?: string; message?: string };
    if (typeof parserError?.status === 'number' && parserError.status < 500 && parserError.type) {
      const status = parserError.status;
      const detail =
        parserError.type === 'entity.parse.failed'
          ? 'The request body is not valid JSON'
          : (parserError.message ?? 'Bad request');
      return problem(status, CODE_BY_STATUS[status] ?? 'bad_request', 'Bad request', detail);
    }
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn({
        msg: 'database busy or unreachable; answered 503',
        method: request.method,
        path: request.path,
        correlationId: requestIdOf(request),
        error: exception instanceof Error ? exception.message : String(exception),
      });
      return problem(
        503,
        'database_unavailable',
        'Service unavailable',
        'The database is busy or unreachable; retry in a moment (a write with the same Idempotency-Key)',
      );
    }
    this.logger.error({
      msg: 'unhandled error',
      method: request.method,
      path: request.path,
      correlationId: requestIdOf(request),
      error: exception instanceof Error ? exception.message : String(exception),
      stack: exception instanceof Error ? exception.stack : undefined,
    });
    return problem(500, 'internal_error', 'Internal server error', 'An unexpected error occurred');
  }
}
