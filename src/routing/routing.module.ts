import { Module } from '@nestjs/common';
import { RoutingService } from './routing.service';
import { RoutingRulesService } from './routing-rules.service';
import { RoutingRulesController } from './routing-rules.controller';

@Module({
  controllers: [RoutingRulesController],
  providers: [RoutingService, RoutingRulesService],
  exports: [RoutingService],
})
export class RoutingModule {}
