import { Module } from '@nestjs/common';
import { RoutingService } from './routing.service';
import { RoutingRulesService } from './routing-rules.service';
import { RoutingRulesController } from './routing-rules.controller';
import { RoutingRuleCache } from './routing-rule.cache';
import { CircuitBreaker } from './circuit-breaker';
import { AccountHealthController } from './account-health.controller';

@Module({
  controllers: [RoutingRulesController, AccountHealthController],
  providers: [RoutingService, RoutingRulesService, RoutingRuleCache, CircuitBreaker],
  exports: [RoutingService],
})
export class RoutingModule {}
