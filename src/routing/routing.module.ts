import { Module } from '@nestjs/common';
import { RoutingService } from './routing.service';
import { RoutingRulesService } from './routing-rules.service';
import { RoutingRulesController } from './routing-rules.controller';
import { RoutingRuleCache } from './routing-rule.cache';
import { CircuitBreaker } from './circuit-breaker';
import { SharedCircuits } from './shared-circuits.service';
import { CircuitSyncJob } from './circuit-sync.job';
import { AccountHealthController } from './account-health.controller';
import { StatisticsController } from './statistics/statistics.controller';
import { StatisticsService } from './statistics/statistics.service';
import { RoutingSimulationController } from './routing-simulation.controller';
import { RoutingSimulationService } from './routing-simulation.service';
import { PaymentMethodsController } from './payment-methods.controller';
import { PaymentMethodsService } from './payment-methods.service';

@Module({
  controllers: [
    RoutingRulesController,
    AccountHealthController,
    StatisticsController,
    RoutingSimulationController,
    PaymentMethodsController,
  ],
  providers: [
    RoutingService,
    RoutingRulesService,
    RoutingRuleCache,
    CircuitBreaker,
    SharedCircuits,
    CircuitSyncJob,
    StatisticsService,
    RoutingSimulationService,
    PaymentMethodsService,
  ],
  exports: [RoutingService, RoutingRuleCache],
})
export class RoutingModule {}
