import type { AuditEvent } from './audit-event.entity';
import type { AuditEventDto } from './dto/audit-event.dto';

export function toAuditEventView(event: AuditEvent): AuditEventDto {
  return {
    id: event.id,
    at: event.at.toISOString(),
    actor: { sub: event.actorSub, clientId: event.actorClientId, ip: event.actorIp },
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    outcome: event.outcome,
    failureCode: event.failureCode,
    changedFields: event.changedFields,
    correlationId: event.correlationId,
  };
}
