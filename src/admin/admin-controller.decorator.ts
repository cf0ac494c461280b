import { applyDecorators, Controller, UseInterceptors } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AdminAuth } from '../auth/auth.decorators';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { AuditInterceptor } from '../audit/audit.interceptor';

/**
 * An admin API controller: OIDC bearer token with the admin scope or role (read-only tokens: GET
 * routes only), documented once, its writes audited (not those marked `@WritesNothing()`).
 */
export function AdminController(path: string, tag: string): ClassDecorator {
  return applyDecorators(
    ApiTags(tag),
    ApiBearerAuth('oidc'),
    ApiUnauthorizedResponse({
      description: 'Missing or invalid access token',
      type: ProblemDetailsDto,
    }),
    ApiForbiddenResponse({
      description:
        'Token without scope paymentserver:admin or role admin; on any route but a GET also a read-only token (scope paymentserver:read or role viewer). Refused writes are audited.',
      type: ProblemDetailsDto,
    }),
    AdminAuth(),
    UseInterceptors(AuditInterceptor),
    Controller(path),
  );
}
