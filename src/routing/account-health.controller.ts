import { Get, Param } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty } from '@nestjs/swagger';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { ProviderAccountsService } from '../providers/provider-accounts.service';
import { CircuitBreaker } from './circuit-breaker';
import { AdminController } from '../admin/admin-controller.decorator';

export class AccountHealthDto {
  @ApiProperty() providerAccountId: string;
  @ApiProperty({
    enum: ['closed', 'open', 'half_open'],
    description:
      'closed: in rotation; open: skipped by routing; half_open: the next payment probes it',
  })
  state: string;
  @ApiProperty({ description: 'Retryable failures in a row' }) consecutiveFailures: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) openedAt: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'When an open circuit lets one probe payment through',
  })
  retryAt: string | null;
  @ApiProperty({ nullable: true, type: String }) lastFailure: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastFailureAt: string | null;
  @ApiProperty({
    enum: ['process'],
    description: 'The state is kept per server process; each instance answers for itself',
  })
  scope: string;
}

/** The routing health (circuit breaker) of a provider account, as this server process sees it. */
@AdminController('api/v1/admin/provider-accounts', 'Admin: provider accounts')
export class AccountHealthController {
  constructor(
    private readonly accounts: ProviderAccountsService,
    private readonly breaker: CircuitBreaker,
  ) {}

  @Get(':id/health')
  @ApiOperation({ summary: "A provider account's circuit breaker state (per server process)" })
  @ApiOkResponse({ type: AccountHealthDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async health(@Param('id') id: string): Promise<AccountHealthDto> {
    await this.accounts.get(id);
    return { providerAccountId: id, ...this.breaker.view(id), scope: 'process' };
  }
}
