import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { Integration } from './integration.entity';
import { ApiKeyService } from './api-key.service';
import { TransactionService, isUniqueViolation } from '../database/transaction.service';
import { newId, ID_PREFIX } from '../common/ids/id';
import { TEST_PROVIDER_ACCOUNT_ID } from '../providers/test/test.provider';

/**
 * First start on an empty database: create integration `default` (default account: `test`
 * when the test provider is on) with the bootstrap API key, or a generated one printed once.
 */
@Injectable()
export class IntegrationsBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Bootstrap');

  constructor(
    @InjectRepository(Integration) private readonly integrations: Repository<Integration>,
    private readonly apiKeys: ApiKeyService,
    private readonly tx: TransactionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if ((await this.integrations.count()) > 0) return;
    const now = new Date();
    const integration: Integration = {
      id: newId(ID_PREFIX.integration),
      name: 'default',
      defaultProviderAccountId: this.config.server.testProvider ? TEST_PROVIDER_ACCOUNT_ID : null,
      oidcClientId: null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.tx.run((m) => m.insert(Integration, integration));
    } catch (error) {
      if (isUniqueViolation(error)) return; // another instance bootstrapped first
      throw error;
    }
    const bootstrapKey = this.config.security.bootstrapApiKey;
    const { key } = await this.apiKeys.create(integration.id, bootstrapKey);
    this.logger.log({ msg: 'created integration default', integrationId: integration.id });
    if (!bootstrapKey) {
      // Shown exactly once, outside the structured log, so it is never shipped to log storage.
      process.stdout.write(
        `\n  Integration "default" created. Its API key (shown once, store it now):\n\n    ${key}\n\n`,
      );
    }
  }
}
