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
import type { PaymentMethod } from '../domain/payment-status';
import { allowsIntegration, ineligibility, unsupportedFeature } from './account-eligibility';
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

export type CandidateRole = 'target' | 'fallback' | 'default';

/** One account the decision looked at, and whether a payment with these values could go there. */
export interface CandidateVerdict {
  providerAccountId: string;
  /** null when the account no longer exists. */
  provider: string | null;
  role: CandidateRole;
  /** The role in words, as recorded on the payment: "target", "fallback #1", "requested", … */
  label: string;
  eligible: boolean;
  why: string;
  /** Eligible but for an open circuit: a real create still lists it (the attempt records the skip). */
  circuitOpen: boolean;
  /** False for targets the weighted split did not choose and for repeated accounts: never tried. */
  considered: boolean;
  account?: ProviderAccount;
}

/**
 * The routing decision with its explanation. A real create tries the eligible (and circuit-open)
 * candidates in order; the simulation shows all of them.
 */
export interface RoutingPlan {
  ruleId: string | null;
  reason: string;
  candidates: CandidateVerdict[];
  /** What a create answers instead of a payment (422 no_route, not allowed, not supported), or null. */
  refusal: UnprocessableError | null;
}

interface Wanted {
  id: string;
  role: CandidateRole;
  label: string;
  /** Why this account is next when it can take the payment. */
  because: string;
  considered?: boolean;
}

const DEFAULT_ROLE = "the integration's default account";
const NOT_ALLOWED = 'provider_account_not_allowed';
const AFTER_RETRYABLE = 'tried if the accounts before it fail with a retryable error';

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

    const match = firstMatchingRule(await this.rules.rulesFor(integration.id), request);
    const defaultId = integration.defaultProviderAccountId;
    if (match) {
      const { rule, because } = match;
      let chosen: string;
      let why: string;
      const wanted: Wanted[] = [];
      if (rule.targets.length === 1) {
        chosen = rule.targets[0].providerAccountId;
        why = `its only target is ${chosen}`;
        wanted.push({ id: chosen, role: 'target', label: 'target', because: why });
      } else {
        const sticky = stickyKeyOf(request.email, request.reference);
        const choice = chooseTarget(rule.id, rule.targets, sticky.key);
        chosen = choice.target.providerAccountId;
        const split = rule.targets.map((t) => `${t.providerAccountId} ${t.weight}`).join(' / ');
        why = `weighted split ${split}: the ${sticky.source} falls in bucket ${choice.bucket} of ${choice.totalWeight}, which belongs to ${chosen}`;
        for (const target of rule.targets) {
          const isChosen = target === choice.target;
          wanted.push({
            id: target.providerAccountId,
            role: 'target',
            label: 'target',
            because: isChosen
              ? why
              : `not chosen: the weighted split gives bucket ${choice.bucket} of ${choice.totalWeight} to ${chosen}`,
            // everyTarget: a customer not known yet may land on any target (method listing).
            considered: isChosen || options.everyTarget === true,
          });
        }
      }
      wanted.push(
        ...rule.fallback.map((id, i) => ({
          id,
          role: 'fallback' as const,
          label: `fallback #${i + 1}`,
          because: `fallback #${i + 1} of rule ${rule.id}, ${AFTER_RETRYABLE}`,
        })),
      );
      if (defaultId)
        wanted.push({
          id: defaultId,
          role: 'default',
          label: DEFAULT_ROLE,
          because: `${DEFAULT_ROLE}, ${AFTER_RETRYABLE}`,
        });
      const conditions = because.length > 0 ? because.join('; ') : 'it has no conditions';
      return this.judge(
        integration,
        rule.id,
        `rule "${rule.name}" (${rule.id}, priority ${rule.priority}) matched: ${conditions}; ${why}`,
        wanted,
        request,
      );
    }
    if (defaultId) {
      return this.judge(
        integration,
        null,
        `no routing rule matched; ${DEFAULT_ROLE} ${defaultId}`,
        [
          {
            id: defaultId,
            role: 'default',
            label: DEFAULT_ROLE,
            because: `no routing rule matched: ${DEFAULT_ROLE}`,
          },
        ],
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

  private async judge(
    integration: Integration,
    ruleId: string | null,
    reason: string,
    wanted: Wanted[],
    request: RoutingRequest,
  ): Promise<RoutingPlan> {
    const ids = [...new Set(wanted.map((w) => w.id))];
    const found = await this.accounts.findBy({ id: In(ids) });
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

function shortError(error: string | undefined): string {
  if (!error) return 'no reason given';
  const code = /^([a-z_]+):/.exec(error)?.[1];
  return code ?? error;
}
