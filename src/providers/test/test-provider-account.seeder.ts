import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { ProviderAccount } from '../provider-account.entity';
import { ProviderAccountsService } from '../provider-accounts.service';
import { TransactionService, isUniqueViolation } from '../../database/transaction.service';
import { TEST_PROVIDER_ACCOUNT_ID } from './test.provider';

/** Makes provider account `test` exist out of the box, so a fresh install can take payments. */
@Injectable()
export class TestProviderAccountSeeder implements OnModuleInit {
  constructor(
    @InjectRepository(ProviderAccount) private readonly accounts: Repository<ProviderAccount>,
    private readonly providerAccounts: ProviderAccountsService,
    private readonly tx: TransactionService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.server.testProvider) return;
    if (await this.accounts.existsBy({ id: TEST_PROVIDER_ACCOUNT_ID })) return;
    const now = new Date();
    try {
      await this.tx.write((m) =>
        m.insert(ProviderAccount, {
          id: TEST_PROVIDER_ACCOUNT_ID,
          provider: 'test',
          name: 'Test provider',
          credentialsSealed: this.providerAccounts.sealCredentials({}),
          settings: { failureMode: 'none' } as Record<string, any>,
          baseUrl: null,
          testMode: true,
          enabled: true,
          createdAt: now,
          updatedAt: now,
        }),
      );
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
}
