import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service';
import { AuditInterceptor } from './audit.interceptor';
import { AuditEventsController } from './audit-events.controller';
import { AuditPurger } from './audit.purger';

/**
 * The audit log: every module's services write to it through AuditService. The interceptor is
 * exported for `@AdminController`, the only routes it describes; the shop API and webhooks do
 * not pay for an interceptor that would find nothing to record.
 */
@Global()
@Module({
  controllers: [AuditEventsController],
  providers: [AuditService, AuditPurger, AuditInterceptor],
  exports: [AuditService, AuditPurger, AuditInterceptor],
})
export class AuditModule {}
