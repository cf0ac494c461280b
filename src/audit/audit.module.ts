import { Global, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AuditService } from './audit.service';
import { AuditInterceptor } from './audit.interceptor';
import { AuditEventsController } from './audit-events.controller';
import { AuditPurger } from './audit.purger';

/** The audit log: every module's services write to it through AuditService. */
@Global()
@Module({
  controllers: [AuditEventsController],
  providers: [AuditService, AuditPurger, { provide: APP_INTERCEPTOR, useClass: AuditInterceptor }],
  exports: [AuditService, AuditPurger],
})
export class AuditModule {}
