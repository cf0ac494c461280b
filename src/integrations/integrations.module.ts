import { Module } from '@nestjs/common';
import { ApiKeyService } from './api-key.service';
import { IntegrationsBootstrapService } from './integrations-bootstrap.service';

@Module({
  providers: [ApiKeyService, IntegrationsBootstrapService],
  exports: [ApiKeyService],
})
export class IntegrationsModule {}
