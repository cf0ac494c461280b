import { Body, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { ProviderAccountsService } from '../providers/provider-accounts.service';
import {
  CreateProviderAccountDto,
  ProviderAccountDto,
  ProviderAccountListDto,
  UpdateProviderAccountDto,
} from '../providers/dto/provider-account.dto';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { DEFAULT_PAGE_SIZE, PageQuery } from '../common/http/page.query';
import { mapPage } from '../common/http/page';
import { AdminController } from './admin-controller.decorator';
import { Audited } from '../audit/audit.decorators';
import { ConnectionCheckDto } from './dto/connection-check.dto';

@AdminController('api/v1/admin/provider-accounts', 'Admin: provider accounts')
export class ProviderAccountsController {
  constructor(private readonly accounts: ProviderAccountsService) {}

  @Get()
  @ApiOperation({ summary: 'List provider accounts (credentials are never returned)' })
  @ApiOkResponse({ type: ProviderAccountListDto })
  async list(@Query() query: PageQuery) {
    const page = await this.accounts.list(query.limit ?? DEFAULT_PAGE_SIZE, query.cursor);
    return mapPage(page, (a) => this.accounts.toView(a));
  }

  @Post()
  @Audited('provider_account.create')
  @ApiOperation({
    summary: 'Add a provider account',
    description:
      'Credentials are validated per provider, encrypted at rest and never returned. The response carries the `webhookUrl` to register at the PSP.',
  })
  @ApiCreatedResponse({ type: ProviderAccountDto })
  @ApiBadRequestResponse({ type: ProblemDetailsDto })
  async create(@Body() dto: CreateProviderAccountDto) {
    return this.accounts.toView(await this.accounts.create(dto));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a provider account' })
  @ApiOkResponse({ type: ProviderAccountDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@Param('id') id: string) {
    return this.accounts.toView(await this.accounts.get(id));
  }

  @Patch(':id')
  @Audited('provider_account.update')
  @ApiOperation({
    summary: 'Change a provider account (credentials are replaced whole when given)',
  })
  @ApiOkResponse({ type: ProviderAccountDto })
  @ApiBadRequestResponse({ type: ProblemDetailsDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async update(@Param('id') id: string, @Body() dto: UpdateProviderAccountDto) {
    return this.accounts.toView(await this.accounts.update(id, dto));
  }

  @Post(':id/test-connection')
  @Audited('provider_account.test_connection')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Check that the PSP accepts the account’s credentials',
    description:
      "One cheap authenticated read-only request at the PSP (Mollie `GET /v2/methods`, MultiSafepay `GET /v1/json/gateways`, Stripe `GET /v1/balance`, PayPal's OAuth2 token, Adyen `POST /paymentMethods`). Always 200 with the outcome; credentials are never echoed, and the circuit breaker is not touched.",
  })
  @ApiOkResponse({ type: ConnectionCheckDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async testConnection(@Param('id') id: string): Promise<ConnectionCheckDto> {
    const { provider, context } = await this.accounts.resolve(id);
    return provider.testConnection(context);
  }

  @Delete(':id')
  @Audited('provider_account.delete')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a provider account that has no payments' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ description: '`provider_account_in_use`', type: ProblemDetailsDto })
  async remove(@Param('id') id: string) {
    await this.accounts.remove(id);
  }
}
