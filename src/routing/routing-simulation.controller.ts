import { Body, HttpCode, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { AdminController } from '../admin/admin-controller.decorator';
import { WritesNothing } from '../auth/auth.decorators';
import { RoutingSimulationService } from './routing-simulation.service';
import { RoutingSimulationDto, SimulateRoutingDto } from './dto/routing-simulation.dto';

@AdminController('api/v1/admin/routing', 'Admin: routing rules')
export class RoutingSimulationController {
  constructor(private readonly simulation: RoutingSimulationService) {}

  /**
   * Admin-only like every route but a GET (read-only tokens may call only those); a dry run
   * changes nothing, so it is not audited.
   */
  @WritesNothing()
  @Post('simulate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Dry-run routing for a payment create body',
    description:
      "Runs the same routing decision as POST /api/v1/payments (rule priority and conditions, the sticky weighted split, fallback, default account, disabled accounts, currency/method support, open circuits, accounts the integration may not use) and explains every candidate. Creates nothing, writes nothing, calls no provider and takes no circuit-breaker probe. Circuit state is this server process's.",
  })
  @ApiOkResponse({ type: RoutingSimulationDto })
  @ApiBadRequestResponse({
    description:
      'Invalid field (named in `errors`), unknown providerAccountId, or unknown integrationId (`code: unknown_integration`)',
    type: ProblemDetailsDto,
  })
  async simulate(@Body() dto: SimulateRoutingDto): Promise<RoutingSimulationDto> {
    return this.simulation.simulate(dto);
  }
}
