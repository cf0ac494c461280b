import { Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminController } from '../admin/admin-controller.decorator';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { mapPage } from '../common/http/page';
import { AuditService } from './audit.service';
import { toAuditEventView } from './audit-event.presenter';
import { AuditEventListDto, ListAuditEventsQuery } from './dto/audit-event.dto';

/** The audit log, read only: there is no route that writes, changes or deletes an event. */
@AdminController('api/v1/admin/audit-events', 'Admin: audit log')
export class AuditEventsController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({
    summary: 'List audit events, newest first',
    description:
      'One event per admin write and admin-initiated payment operation (capture, cancel, refund), written in the same transaction as the change, and one per refused or failed attempt (a read-only token trying a write, a validation error, an unknown id, a refusal). Field names only, never values: a credentials change shows as `credentials`. Kept `PAYMENTSERVER_AUDIT_RETENTION_DAYS` (default 400). Filter by actor, action, target, outcome and time; page with `nextCursor`.',
  })
  @ApiOkResponse({ type: AuditEventListDto })
  @ApiBadRequestResponse({
    description: 'A bad filter, `limit` (1–100) or `cursor`, naming the field',
    type: ProblemDetailsDto,
  })
  async list(@Query() query: ListAuditEventsQuery) {
    return mapPage(await this.audit.list(query), toAuditEventView);
  }
}
