import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { ProviderAccount } from '../providers/provider-account.entity';
import { ProviderRegistry } from '../providers/provider.registry';
import { Integration } from '../integrations/integration.entity';
import { UnprocessableError, ValidationError } from '../common/errors/domain-error';
import type { RoutingAttemptRecord } from '../payments/entities/payment.entity';
import type { PaymentMethod } from '../payments/payment-status';
import { ineligibility } from './account-eligibility';

export interface RoutingRequest {
  currency: string;
  amount: number;
  method: PaymentMethod | null;
  captureMode: string;
  country: string | null;
  email: string | null;
  reference: string;
  metadata: Record<string, string> | null;
  providerAccountId?: string;
}

export interface RouteDecision {
  ruleId: string | null;
  reason: string;
  /** Accounts to try, in order. */
  candidates: ProviderAccount[];
  /** Accounts passed over before any call, with why. */
  skipped: RoutingAttemptRecord[];
}

/** Chooses the provider accounts for a new payment. */
@Injectable()
export class RoutingService {
  constructor(
    @InjectRepository(ProviderAccount) private readonly accounts: Repository<ProviderAccount>,
    private readonly registry: ProviderRegistry,
  ) {}

  async route(integration: Integration, request: RoutingRequest): Promise<RouteDecision> {
    if (request.providerAccountId) {
      const account = await this.accounts.findOneBy({ id: request.providerAccountId });
      if (!account) throw ValidationError.field('providerAccountId', 'unknown provider account');
      return this.decide(null, `providerAccountId ${account.id} was given in the request`, [account], request);
    }
    if (integration.defaultProviderAccountId) {
      return this.decide(
        null,
        `no routing rule matched; the integration's default account ${integration.defaultProviderAccountId}`,
        await this.load([integration.defaultProviderAccountId]),
        request,
      );
    }
    throw new UnprocessableError('no_route', 'No route', 'No routing rule matches and the integration has no default provider account');
  }

  private async load(ids: string[]): Promise<ProviderAccount[]> {
    const found = await this.accounts.findBy({ id: In(ids) });
    const byId = new Map(found.map((account) => [account.id, account]));
    return ids.map((id) => byId.get(id)).filter((a): a is ProviderAccount => a !== undefined);
  }

  private decide(ruleId: string | null, reason: string, accounts: ProviderAccount[], request: RoutingRequest): RouteDecision {
    const candidates: ProviderAccount[] = [];
    const skipped: RoutingAttemptRecord[] = [];
    for (const account of accounts) {
      const why = ineligibility(account, this.registry.get(account.provider), request);
      if (why) skipped.push({ providerAccountId: account.id, outcome: 'skipped', error: why });
      else candidates.push(account);
    }
    if (candidates.length === 0) {
      const details = skipped.map((s) => `${s.providerAccountId}: ${s.error}`).join('; ');
      throw new UnprocessableError('no_route', 'No route', `No provider account can take this payment (${details || 'none configured'})`);
    }
    return { ruleId, reason, candidates, skipped };
  }
}
