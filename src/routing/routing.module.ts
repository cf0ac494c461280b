import { Module, Provider } from '@nestjs/common';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { RoutingService } from './routing.service';
import { RoutingRulesService } from './routing-rules.service';
import { RoutingRulesController } from './routing-rules.controller';
import { RoutingRuleCache } from './routing-rule.cache';
import { CircuitBreaker } from './circuit-breaker';
import { SharedCircuits } from './shared-circuits.service';
import { DatabaseCircuits } from './database-circuits';
import { RedisCircuits } from './redis-circuits';
import { ProviderCircuit } from './provider-circuit.entity';
import { REDIS } from '../common/redis/redis.module';
import type { RedisConnection } from '../common/redis/redis-connection';
import { TransactionService } from '../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { CircuitSyncJob } from './circuit-sync.job';
import { AccountHealthController } from './account-health.controller';
import { StatisticsController } from './statistics/statistics.controller';
import { StatisticsService } from './statistics/statistics.service';
import { RoutingSimulationController } from './routing-simulation.controller';
import { RoutingSimulationService } from './routing-simulation.service';
import { PaymentMethodsController } from './payment-methods.controller';
import { PaymentMethodsService } from './payment-methods.service';

/** The circuit breaker shared through Redis when PAYMENTSERVER_REDIS_URL is set, else the database. */
const SHARED_CIRCUITS: Provider = {
  provide: SharedCircuits,
  inject: [
    CircuitBreaker,
    REDIS,
    TransactionService,
    getRepositoryToken(ProviderCircuit),
    AuditService,
  ],
  useFactory: (
    breaker: CircuitBreaker,
    redis: RedisConnection | null,
    tx: TransactionService,
    circuits: Repository<ProviderCircuit>,
    audit: AuditService,
  ): SharedCircuits =>
    redis
      ? new RedisCircuits(breaker, redis, tx, audit)
      : new DatabaseCircuits(breaker, tx, circuits, audit),
};

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
    SHARED_CIRCUITS,
    CircuitSyncJob,
    StatisticsService,
    RoutingSimulationService,
    PaymentMethodsService,
  ],
  exports: [RoutingService, RoutingRuleCache],
})
export class RoutingModule {}
