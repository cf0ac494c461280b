import { Injectable } from '@nestjs/common';
import { Integration } from '../integrations/integration.entity';
import { PAYMENT_METHODS } from '../domain/payment-status';
import { RoutingService } from './routing.service';
import { RoutingRuleCache } from './routing-rule.cache';
import type { PaymentMethodOptionDto, PaymentMethodsQuery } from './dto/payment-methods.dto';

/**
 * The methods a payment with these values can use through the integration's routing: per
 * method, routing's own decision (matching rule, every target of a split, fallback, default;
 * enabled, allowed for the integration, the provider supports method and currency). No provider
 * is asked. Answers are kept with the routing cache until the next routing write; an open
 * circuit breaker does not hide a method (it is per process and temporary).
 */
@Injectable()
export class PaymentMethodsService {
  constructor(
    private readonly routing: RoutingService,
    private readonly cache: RoutingRuleCache,
  ) {}

  async list(
    integration: Integration,
    query: PaymentMethodsQuery,
  ): Promise<PaymentMethodOptionDto[]> {
    const key = [
      'payment-methods',
      integration.id,
      integration.defaultProviderAccountId ?? '',
      query.amount,
      query.currency,
      query.country ?? '',
    ].join('|');
    return this.cache.remember(key, () => this.compute(integration, query));
  }

  private async compute(
    integration: Integration,
    query: PaymentMethodsQuery,
  ): Promise<PaymentMethodOptionDto[]> {
    const options: PaymentMethodOptionDto[] = [];
    for (const method of PAYMENT_METHODS) {
      const plan = await this.routing.plan(
        integration,
        {
          currency: query.currency,
          amount: query.amount,
          method,
          captureMode: 'automatic',
          country: query.country ?? null,
          email: null,
          reference: '',
          metadata: null,
        },
        { everyTarget: true },
      );
      const providers = plan.candidates
        .filter((c) => c.considered && (c.eligible || c.circuitOpen) && c.provider)
        .map((c) => c.provider!);
      if (providers.length > 0) options.push({ method, providers: [...new Set(providers)] });
    }
    return options;
  }
}
