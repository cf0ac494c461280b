import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { catchError, from, mergeMap, Observable, throwError } from 'rxjs';
import type { AuthenticatedRequest } from '../auth/auth.decorators';
import { beginAuditedRequest } from './audit.context';
import { AuditService, failureCodeOf } from './audit.service';
import { describeAuditedRequest, writesNothing } from './audited-route';

/**
 * Around every admin write: makes the request's audit description available to the services
 * (which write the row in their transaction), and records the outcome when they did not —
 * every failure (validation, not found, refusal), and a success no transaction recorded.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly audit: AuditService,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || writesNothing(this.reflector, context))
      return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    const described = describeAuditedRequest(
      this.reflector,
      context,
      request,
      request.principal?.token,
    );
    if (!described) return next.handle();
    beginAuditedRequest(described);
    return next.handle().pipe(
      mergeMap(async (value) => {
        const response = http.getResponse<Response>();
        // An idempotent replay repeats an answer; the request that produced it was recorded.
        if (response.getHeader('Idempotent-Replayed') === 'true') return value;
        if (response.statusCode >= 400) {
          const code = (value as { code?: unknown } | undefined)?.code;
          await this.audit.failed(
            described,
            typeof code === 'string' ? code : `http_${response.statusCode}`,
          );
        } else {
          await this.audit.succeeded(described);
        }
        return value;
      }),
      catchError((error: unknown) =>
        from(this.audit.failed(described, failureCodeOf(error))).pipe(
          mergeMap(() => throwError(() => error)),
        ),
      ),
    );
  }
}
