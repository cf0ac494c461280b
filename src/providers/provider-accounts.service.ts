import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { SecretBox } from '../common/crypto/secret-box';
import { NotFoundError } from '../common/errors/domain-error';
import { ProviderAccount } from './provider-account.entity';
import { ProviderRegistry } from './provider.registry';
import { PaymentProvider, ProviderCallContext } from './provider.interface';
import { ProviderHttpClient } from './provider-http.client';

export interface ResolvedAccount {
  account: ProviderAccount;
  provider: PaymentProvider;
  context: ProviderCallContext;
}

/** Loads provider accounts and opens their credentials for one call at a time. */
@Injectable()
export class ProviderAccountsService {
  constructor(
    @InjectRepository(ProviderAccount) private readonly accounts: Repository<ProviderAccount>,
    private readonly registry: ProviderRegistry,
    private readonly secretBox: SecretBox,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  webhookUrl(account: Pick<ProviderAccount, 'id' | 'provider'>): string {
    return `${this.config.server.publicUrl}/webhooks/${account.provider}/${account.id}`;
  }

  async find(id: string): Promise<ProviderAccount | null> {
    return this.accounts.findOneBy({ id });
  }

  async resolve(id: string): Promise<ResolvedAccount> {
    const account = await this.find(id);
    if (!account) throw new NotFoundError('Provider account', id);
    return this.resolveAccount(account);
  }

  resolveAccount(account: ProviderAccount): ResolvedAccount {
    const provider = this.registry.get(account.provider);
    if (!provider) throw new NotFoundError('Provider', account.provider);
    const credentials = JSON.parse(this.secretBox.open(account.credentialsSealed)) as Record<string, string>;
    return {
      account,
      provider,
      context: {
        account: {
          id: account.id,
          provider: account.provider,
          credentials,
          settings: account.settings ?? {},
          baseUrl: account.baseUrl,
          testMode: account.testMode,
        },
        webhookUrl: this.webhookUrl(account),
        http: new ProviderHttpClient(account.provider, account.id),
      },
    };
  }

  sealCredentials(credentials: Record<string, unknown>): string {
    return this.secretBox.seal(JSON.stringify(credentials));
  }
}
