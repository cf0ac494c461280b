import { Module } from '@nestjs/common';
import { RoutingService } from './routing.service';
import { RoutingRulesService } from './routing-rules.service';
import { RoutingRulesController } from './routing-rules.controller';
import { RoutingRuleCache } from './routing-rule.cache';
import { CircuitBreaker } from './circuit-breaker';
import { AccountHealthController } from './account-health.controller';
import { StatisticsController } from './statistics/statistics.controller';
import { StatisticsService } from './statistics/statistics.service';

@Module({
  controllers: [RoutingRulesController, AccountHealthController, StatisticsController],
  providers: [
    RoutingService,
    RoutingRulesService,
    RoutingRuleCache,
    CircuitBreaker,
    StatisticsService,
  ],
  exports: [RoutingService],
})
export class RoutingModule {}
