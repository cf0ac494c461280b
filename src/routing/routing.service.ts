import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/app.config';
import { ProviderAccount } from '../providers/provider-account.entity';
import { ProviderRegistry } from '../providers/provider.registry';
import { ProviderError } from '../providers/provider-error';
import { redactText } from '../common/logging/redact';
import { Integration } from '../integrations/integration.entity';
import { UnprocessableError, ValidationError } from '../common/errors/domain-error';
import type { RoutingAttemptRecord } from '../payments/entities/payment.entity';
import type { PaymentMethod } from '../payments/payment-status';
import { ineligibility } from './account-eligibility';
import { RoutingRuleCache } from './routing-rule.cache';
import { firstMatchingRule } from './rule-matcher';
import { chooseTarget, stickyKeyOf } from './weighted-split';
import { CircuitBreaker } from './circuit-breaker';

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

export interface RouteCandidate {
  account: ProviderAccount;
  /** Why the account is on the list, in words: "target", "fallback #1", "the integration's default account". */
  role: string;
}

export interface RouteDecision {
  ruleId: string | null;
  /** Which rule matched and why the first candidate was chosen; `explain` adds what happened. */
  reason: string;
  /** Accounts to try, in order. */
  candidates: RouteCandidate[];
  /** Accounts passed over before any call, with why. */
  skipped: RoutingAttemptRecord[];
  /** Epoch ms: no provider call starts after this, and none runs past it. */
  deadline: number;
}

const DEFAULT_ROLE = "the integration's default account";

/**
 * Chooses the provider accounts for a new payment: the first enabled matching rule (its sticky
 * weighted target, then its fallback list), the integration's default account as the last
 * resort. It also guards each attempt (circuit breaker, overall time budget) and explains the
 * outcome in words.
 */
@Injectable()
export class RoutingService {
  constructor(
    @InjectRepository(ProviderAccount) private readonly accounts: Repository<ProviderAccount>,
    private readonly registry: ProviderRegistry,
    private readonly rules: RoutingRuleCache,
    private readonly breaker: CircuitBreaker,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async route(integration: Integration, request: RoutingRequest): Promise<RouteDecision> {
    const deadline = Date.now() + this.config.routing.timeBudgetMs;
    if (request.providerAccountId) {
      const account = await this.accounts.findOneBy({ id: request.providerAccountId });
      if (!account) throw ValidationError.field('providerAccountId', 'unknown provider account');
      return this.decide(
        null,
        `providerAccountId ${account.id} was given in the request; routing rules were not consulted`,
        [{ id: account.id, role: 'requested' }],
        request,
        deadline,
      );
    }

    const match = firstMatchingRule(await this.rules.rulesFor(integration.id), request);
    const fallbackToDefault = integration.defaultProviderAccountId
      ? [{ id: integration.defaultProviderAccountId, role: DEFAULT_ROLE }]
      : [];
    if (match) {
      const { rule, because } = match;
      let chosen: string;
      let why: string;
      if (rule.targets.length === 1) {
        chosen = rule.targets[0].providerAccountId;
        why = `its only target is ${chosen}`;
      } else {
        const sticky = stickyKeyOf(request.email, request.reference);
        const choice = chooseTarget(rule.id, rule.targets, sticky.key);
        chosen = choice.target.providerAccountId;
        const split = rule.targets.map((t) => `${t.providerAccountId} ${t.weight}`).join(' / ');
        why = `weighted split ${split}: the ${sticky.source} falls in bucket ${choice.bucket} of ${choice.totalWeight}, which belongs to ${chosen}`;
      }
      const conditions = because.length > 0 ? because.join('; ') : 'it has no conditions';
      return this.decide(
        rule.id,
        `rule "${rule.name}" (${rule.id}, priority ${rule.priority}) matched: ${conditions}; ${why}`,
        [
          { id: chosen, role: 'target' },
          ...rule.fallback.map((id, i) => ({ id, role: `fallback #${i + 1}` })),
          ...fallbackToDefault,
        ],
        request,
        deadline,
      );
    }
    if (integration.defaultProviderAccountId) {
      return this.decide(
        null,
        `no routing rule matched; ${DEFAULT_ROLE} ${integration.defaultProviderAccountId}`,
        fallbackToDefault,
        request,
        deadline,
      );
    }
    throw new UnprocessableError(
      'no_route',
      'No route',
      'No routing rule matches this payment and the integration has no default provider account',
    );
  }

  /** Why the account must not be called now (circuit open, time budget spent), or null to go ahead. */
  admit(decision: RouteDecision, candidate: RouteCandidate): string | null {
    if (Date.now() >= decision.deadline)
      return `not tried: the routing time budget of ${this.config.routing.timeBudgetMs} ms was spent`;
    if (!this.breaker.tryAcquire(candidate.account.id)) {
      return `not tried: circuit open after repeated failures (${this.breaker.view(candidate.account.id).lastFailure ?? 'retryable errors'})`;
    }
    return null;
  }

  /** Runs one provider call, failing it as a retryable timeout if it outlives the budget or the per-call timeout. */
  async withinBudget<T>(decision: RouteDecision, call: () => Promise<T>): Promise<T> {
    const limit = Math.max(
      0,
      Math.min(this.config.routing.providerTimeoutMs, decision.deadline - Date.now()),
    );
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new ProviderError('timeout', `no answer within ${limit} ms`)),
        limit,
      );
    });
    try {
      return await Promise.race([call(), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Feeds the circuit breaker: only retryable failures count against an account. */
  recordOutcome(accountId: string, error?: ProviderError): void {
    if (error?.retryable)
      this.breaker.recordRetryableFailure(
        accountId,
        redactText(`${error.code}: ${error.message}`).slice(0, 256),
      );
    else this.breaker.recordHealthy(accountId);
  }

  /** The decision's reason plus what happened: which account took the payment, after which failures. */
  explain(
    decision: RouteDecision,
    attempts: RoutingAttemptRecord[],
    winner?: RouteCandidate,
  ): string {
    const passedOver = attempts
      .filter((a) => a.outcome !== 'succeeded')
      .map(
        (a) =>
          `${a.providerAccountId} ${a.outcome === 'skipped' ? 'was skipped' : a.outcome} (${shortError(a.error)})`,
      );
    if (winner) {
      const first =
        decision.candidates[0]?.account.id === winner.account.id && passedOver.length === 0;
      if (first) return decision.reason;
      return `${decision.reason}; ${passedOver.join(', ')}, so ${winner.role} ${winner.account.id} took the payment`;
    }
    const declined = attempts.some((a) => a.outcome === 'declined');
    return `${decision.reason}; no account took the payment: ${passedOver.join(', ')}${declined ? '; a decline is final and is not retried elsewhere' : ''}`;
  }

  private async decide(
    ruleId: string | null,
    reason: string,
    wanted: { id: string; role: string }[],
    request: RoutingRequest,
    deadline: number,
  ): Promise<RouteDecision> {
    const unique = wanted.filter((w, i) => wanted.findIndex((o) => o.id === w.id) === i);
    const found = await this.accounts.findBy({ id: In(unique.map((w) => w.id)) });
    const byId = new Map(found.map((account) => [account.id, account]));
    const candidates: RouteCandidate[] = [];
    const skipped: RoutingAttemptRecord[] = [];
    for (const { id, role } of unique) {
      const account = byId.get(id);
      const why = account
        ? ineligibility(account, this.registry.get(account.provider), request)
        : 'the account no longer exists';
      if (why || !account)
        skipped.push({ providerAccountId: id, outcome: 'skipped', error: why ?? undefined });
      else candidates.push({ account, role });
    }
    if (candidates.length === 0) {
      const details = skipped.map((s) => `${s.providerAccountId}: ${s.error}`).join('; ');
      throw new UnprocessableError(
        'no_route',
        'No route',
        `No provider account can take this payment (${details || 'none configured'})`,
      );
    }
    return { ruleId, reason, candidates, skipped, deadline };
  }
}

function shortError(error: string | undefined): string {
  if (!error) return 'no reason given';
  const code = /^([a-z_]+):/.exec(error)?.[1];
  return code ?? error;
}
