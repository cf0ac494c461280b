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
