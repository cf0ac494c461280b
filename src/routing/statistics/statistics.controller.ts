import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AdminAuth } from '../../auth/auth.decorators';
import { ProblemDetailsDto } from '../../common/errors/problem-details.dto';
import { StatisticsService } from './statistics.service';
import { StatisticsDto, StatisticsQuery } from './statistics.dto';

@ApiTags('Admin: statistics')
@ApiBearerAuth('oidc')
@ApiUnauthorizedResponse({ type: ProblemDetailsDto })
@ApiForbiddenResponse({ type: ProblemDetailsDto })
@AdminAuth()
@Controller('api/v1/admin/stats')
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  @Get()
  @ApiOperation({
    summary: 'Payment counts, conversion and paid volume',
    description: 'Payments created in [from, to), grouped by provider, UTC day, status or provider account; compare the PSPs of an A/B split with groupBy=account.',
  })
  @ApiOkResponse({ type: StatisticsDto })
  @ApiBadRequestResponse({ type: ProblemDetailsDto })
  async get(@Query() query: StatisticsQuery): Promise<StatisticsDto> {
    return { data: await this.statistics.summarise(query) };
  }
}
