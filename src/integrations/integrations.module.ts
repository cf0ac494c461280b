import { Module } from '@nestjs/common';
import { ApiKeyService } from './api-key.service';
import { ApiKeyCache } from './api-key.cache';
import { IntegrationsBootstrapService } from './integrations-bootstrap.service';
import { IntegrationsService } from './integrations.service';
import { IntegrationsAdminController } from './integrations-admin.controller';

@Module({
  controllers: [IntegrationsAdminController],
  providers: [ApiKeyService, ApiKeyCache, IntegrationsBootstrapService, IntegrationsService],
  exports: [ApiKeyService, IntegrationsService],
})
export class IntegrationsModule {}
