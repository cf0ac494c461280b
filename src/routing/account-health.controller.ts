import { Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProperty } from '@nestjs/swagger';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { ProviderAccountsService } from '../providers/provider-accounts.service';
import { CircuitBreaker } from './circuit-breaker';
import { AdminController } from '../admin/admin-controller.decorator';
import { Audited } from '../audit/audit.decorators';
import { SharedCircuits } from './shared-circuits.service';

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
    enum: ['shared'],
    description:
      'The state is shared by all server instances on the database; an instance sees the transitions of the others within about a second',
  })
  scope: string;
}

/** The routing health (circuit breaker) of a provider account, shared by all instances. */
@AdminController('api/v1/admin/provider-accounts', 'Admin: provider accounts')
export class AccountHealthController {
  constructor(
    private readonly accounts: ProviderAccountsService,
    private readonly breaker: CircuitBreaker,
    private readonly shared: SharedCircuits,
  ) {}

  @Get(':id/health')
  @ApiOperation({
    summary: "A provider account's circuit breaker state (shared by all server instances)",
  })
  @ApiOkResponse({ type: AccountHealthDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async health(@Param('id') id: string): Promise<AccountHealthDto> {
    await this.accounts.get(id);
    return this.view(id);
  }

  @Post(':id/health/reset')
  @HttpCode(200)
  @Audited('provider_account.health_reset')
  @ApiOperation({
    summary: "Close a provider account's circuit on every server instance",
    description:
      'Forgets the failures counted against the account and puts it back into rotation at once: on this instance immediately, on the others at their next reload (about a second).',
  })
  @ApiOkResponse({ type: AccountHealthDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async reset(@Param('id') id: string): Promise<AccountHealthDto> {
    await this.accounts.get(id);
    await this.shared.reset(id);
    return this.view(id);
  }

  private view(id: string): AccountHealthDto {
    return { providerAccountId: id, ...this.breaker.view(id), scope: 'shared' };
  }
}
