import { Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ProblemDetailsDto } from '../../common/errors/problem-details.dto';
import { StatisticsService } from './statistics.service';
import { StatisticsDto, StatisticsQuery } from './statistics.dto';
import { AdminController } from '../../admin/admin-controller.decorator';

@AdminController('api/v1/admin/stats', 'Admin: statistics')
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  @Get()
  @ApiOperation({
    summary: 'Payment counts, conversion and paid volume',
    description:
      'Payments created in [from, to), grouped by provider, UTC day, status or provider account; compare the PSPs of an A/B split with groupBy=account.',
  })
  @ApiOkResponse({ type: StatisticsDto })
  @ApiBadRequestResponse({ type: ProblemDetailsDto })
  async get(@Query() query: StatisticsQuery): Promise<StatisticsDto> {
    return { data: await this.statistics.summarise(query) };
  }
}
