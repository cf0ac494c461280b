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
import { allowsIntegration, ineligibility, unsupportedFeature } from './account-eligibility';
import { RoutingRuleCache, RoutingSnapshot } from './routing-rule.cache';
import { firstMatchingRule } from './rule-matcher';
import { CircuitBreaker } from './circuit-breaker';
import { defaultAccount, DEFAULT_ROLE, Wanted, wantedForRule } from './route-candidates';
import { explainRoute } from './route-explanation';
import type {
  CandidateVerdict,
  RouteCandidate,
  RouteDecision,
  RoutingPlan,
  RoutingRequest,
} from './routing.types';

/** The types moved to routing.types.ts; imports from here keep working. */
export * from './routing.types';

const NOT_ALLOWED = 'provider_account_not_allowed';

function notAllowed(message: string): UnprocessableError {
  return new UnprocessableError(NOT_ALLOWED, 'Provider account not allowed', message);
}

function notSupported(provider: string, what: string): UnprocessableError {
  return new UnprocessableError(
    'not_supported_by_provider',
    'Not supported by provider',
    `${provider} does not support ${what}`,
  );
}

/**
 * Chooses the provider accounts for a new payment: the first enabled matching rule (its sticky
 * weighted target, then its fallback list), the integration's default account as the last
 * resort. It also guards each attempt (circuit breaker, overall time budget) and explains the
 * outcome in words. `plan` is the one decision: a real create (`route`) and the admin routing
 * simulation both use it.
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

  /** The decision for a real create: throws what the create must answer when no account can take it. */
  async route(integration: Integration, request: RoutingRequest): Promise<RouteDecision> {
    const deadline = Date.now() + this.config.routing.timeBudgetMs;
    const plan = await this.plan(integration, request);
    if (plan.refusal) throw plan.refusal;
    return {
      ruleId: plan.ruleId,
      reason: plan.reason,
      candidates: plan.candidates
        .filter((c) => c.account && (c.eligible || c.circuitOpen))
        .map((c) => ({ account: c.account!, role: c.label })),
      skipped: plan.candidates
        .filter((c) => c.considered && !c.eligible && !c.circuitOpen)
        .map((c) => ({ providerAccountId: c.providerAccountId, outcome: 'skipped', error: c.why })),
      deadline,
    };
  }

  /**
   * Which accounts a payment with these values goes to, in order, and why each can or cannot take
   * it. Reads rules and accounts, writes nothing, calls no provider, takes no circuit probe.
   * Only an unknown forced `providerAccountId` throws (400, as a create answers). With
   * `everyTarget`, every target of a weighted split counts, not only this customer's.
   */
  async plan(
    integration: Integration,
    request: RoutingRequest,
    options: { everyTarget?: boolean } = {},
  ): Promise<RoutingPlan> {
    if (request.providerAccountId) return this.planForced(integration, request);

    const view = await this.rules.current();
    const match = firstMatchingRule(view.rulesFor(integration.id), request);
    const defaultId = integration.defaultProviderAccountId;
    if (match) {
      const { wanted, reason } = wantedForRule(
        match,
        request,
        defaultId,
        options.everyTarget === true,
      );
      return this.judge(view, integration, match.rule.id, reason, wanted, request);
    }
    if (defaultId) {
      return this.judge(
        view,
        integration,
        null,
        `no routing rule matched; ${DEFAULT_ROLE} ${defaultId}`,
        [defaultAccount(defaultId, `no routing rule matched: ${DEFAULT_ROLE}`)],
        request,
      );
    }
    return {
      ruleId: null,
      reason: 'no routing rule matched and the integration has no default provider account',
      candidates: [],
      refusal: new UnprocessableError(
        'no_route',
        'No route',
        'No routing rule matches this payment and the integration has no default provider account',
      ),
    };
  }

  /**
   * A forced account: it must exist (400), the integration must be allowed to use it (422
   * provider_account_not_allowed; before "not supported": another integration's account tells
   * it nothing), and its provider must support the payment (422 not_supported_by_provider).
   */
  private async planForced(
    integration: Integration,
    request: RoutingRequest,
  ): Promise<RoutingPlan> {
    const id = request.providerAccountId!;
    const account = await this.accounts.findOneBy({ id });
    if (!account) throw ValidationError.field('providerAccountId', 'unknown provider account');
    const reason = `providerAccountId ${account.id} was given in the request; routing rules were not consulted`;
    const refused = (why: string, refusal: UnprocessableError): RoutingPlan => ({
      ruleId: null,
      reason,
      candidates: [
        {
          providerAccountId: account.id,
          provider: account.provider,
          role: 'target',
          label: 'requested',
          eligible: false,
          why,
          circuitOpen: false,
          considered: true,
        },
      ],
      refusal,
    });
    if (!allowsIntegration(account, integration.id)) {
      const message = `Provider account ${account.id} may not be used by this integration`;
      return refused(
        `${NOT_ALLOWED}: integration ${integration.id} may not use this account`,
        notAllowed(message),
      );
    }
    const provider = this.registry.get(account.provider);
    const unsupported = provider ? unsupportedFeature(provider, request) : null;
    if (provider && unsupported)
      return refused(unsupported.why, notSupported(provider.name, unsupported.what));
    return this.judge(
      await this.rules.current(),
      integration,
      null,
      reason,
      [{ id: account.id, role: 'target', label: 'requested', because: 'requested in the payment' }],
      request,
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

  /**
   * Runs one provider call, failing it as a retryable timeout if it outlives the budget or the
   * per-call timeout. With the default settings the limit is the per-call timeout on every first
   * attempt, so the timers share Node's list for that duration; settled by hand rather than by
   * `Promise.race` with a timeout promise, which cost two more promises per create.
   */
  withinBudget<T>(decision: RouteDecision, call: () => Promise<T>): Promise<T> {
    const limit = Math.max(
      0,
      Math.min(this.config.routing.providerTimeoutMs, decision.deadline - Date.now()),
    );
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new ProviderError('timeout', `no answer within ${limit} ms`)),
        limit,
      );
      let pending: Promise<T>;
      try {
        pending = call();
      } catch (error) {
        clearTimeout(timer);
        reject(error);
        return;
      }
      pending.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
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
    return explainRoute(decision, attempts, winner);
  }

  private async judge(
    view: RoutingSnapshot,
    integration: Integration,
    ruleId: string | null,
    reason: string,
    wanted: Wanted[],
    request: RoutingRequest,
  ): Promise<RoutingPlan> {
    const ids = [...new Set(wanted.map((w) => w.id))];
    // Accounts change only with the routing version (every account write bumps it); an answer
    // that lacks one may predate the account's creation, which does not, so it is read again.
    const lookup = () => this.accounts.findBy({ id: In(ids) });
    let found = await view.remember(`accounts:${ids.join(',')}`, lookup);
    if (found.length < ids.length) found = await lookup();
    const byId = new Map(found.map((account) => [account.id, account]));
    const seen = new Map<string, string>();
    const candidates: CandidateVerdict[] = [];
    const problems: string[] = [];
    let usable = 0;
    let forbidden = 0;
    for (const w of wanted) {
      const account = byId.get(w.id);
      const verdict: CandidateVerdict = {
        providerAccountId: w.id,
        provider: account?.provider ?? null,
        role: w.role,
        label: w.label,
        eligible: false,
        why: '',
        circuitOpen: false,
        considered: w.considered ?? true,
        account,
      };
      candidates.push(verdict);
      const earlier = verdict.considered ? seen.get(w.id) : undefined;
      if (earlier !== undefined) {
        verdict.considered = false;
        verdict.why = `already listed as ${earlier}: an account is tried at most once`;
        continue;
      }
      if (verdict.considered) seen.set(w.id, w.label);
      let why: string | null;
      if (!account) why = 'the account no longer exists';
      else if (!allowsIntegration(account, integration.id)) {
        // Rules and defaults are checked when written; this catches what changed since.
        why = `${NOT_ALLOWED}: integration ${integration.id} may not use this account`;
        if (verdict.considered) forbidden++;
      } else why = ineligibility(account, this.registry.get(account.provider), request);
      if (!verdict.considered) {
        // A target the split did not choose: say so, and why it could not have taken it anyway.
        verdict.why = why ? `${w.because}; also ${why}` : w.because;
        continue;
      }
      if (why) {
        verdict.why = why;
        problems.push(`${w.id}: ${why}`);
        continue;
      }
      usable++;
      if (!this.breaker.wouldAdmit(w.id)) {
        verdict.circuitOpen = true;
        verdict.why = `circuit open after repeated failures (${this.breaker.view(w.id).lastFailure ?? 'retryable errors'}); not tried until ${this.breaker.view(w.id).retryAt ?? 'the cooldown ends'}`;
        continue;
      }
      verdict.eligible = true;
      verdict.why = w.because;
    }
    let refusal: UnprocessableError | null = null;
    if (usable === 0) {
      const details = problems.join('; ');
      refusal =
        forbidden > 0 && forbidden === problems.length
          ? notAllowed(
              `No provider account this integration may use can take this payment (${details})`,
            )
          : new UnprocessableError(
              'no_route',
              'No route',
              `No provider account can take this payment (${details || 'none configured'})`,
            );
    }
    return { ruleId, reason, candidates, refusal };
  }
}
