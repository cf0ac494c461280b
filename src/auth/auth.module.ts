import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { IntegrationsModule } from '../integrations/integrations.module';

/** Installs the global deny-by-default guard. */
@Module({
  imports: [IntegrationsModule],
  providers: [{ provide: APP_GUARD, useClass: AuthGuard }],
})
export class AuthModule {}
