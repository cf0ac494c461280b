import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainError } from '../common/errors/domain-error';
import { Integration } from '../integrations/integration.entity';
import { RoutingService } from './routing.service';
import { routingRequestOf } from './routing-request';
import type { RoutingSimulationDto, SimulateRoutingDto } from './dto/routing-simulation.dto';

/** The admin dry run: routing's own decision for a create body, explained, with nothing written. */
@Injectable()
export class RoutingSimulationService {
  constructor(
    @InjectRepository(Integration) private readonly integrations: Repository<Integration>,
    private readonly routing: RoutingService,
  ) {}

  async simulate(dto: SimulateRoutingDto): Promise<RoutingSimulationDto> {
    const integration = await this.integrations.findOneBy({ id: dto.integrationId });
    if (!integration) {
      throw new DomainError(
        'unknown_integration',
        400,
        'Unknown integration',
        `integrationId: ${dto.integrationId} is not an integration`,
        [{ field: 'integrationId', message: 'is not an integration' }],
      );
    }
    const plan = await this.routing.plan(integration, routingRequestOf(dto));
    const first = plan.refusal ? undefined : plan.candidates.find((c) => c.eligible);
    return {
      ruleId: plan.ruleId,
      reason: plan.reason,
      candidates: plan.candidates.map((c) => ({
        providerAccountId: c.providerAccountId,
        provider: c.provider,
        role: c.role,
        eligible: c.eligible,
        why: c.why,
      })),
      providerAccountId: first?.providerAccountId ?? null,
      refusal: plan.refusal
        ? { code: plan.refusal.code, title: plan.refusal.title, detail: plan.refusal.message }
        : null,
    };
  }
}
