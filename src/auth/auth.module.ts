import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';
import { IntegrationsModule } from '../integrations/integrations.module';
import { OidcKeyResolver } from './oidc/oidc-key.resolver';
import { OidcStrategy } from './oidc/oidc.strategy';
import { AuthFailureLimiter } from './auth-failure.limiter';

/** Installs the global deny-by-default guard and the OIDC bearer-token strategy. */
@Module({
  imports: [IntegrationsModule],
  providers: [
    OidcKeyResolver,
    OidcStrategy,
    AuthFailureLimiter,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
})
export class AuthModule {}
