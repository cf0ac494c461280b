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
import { IntegrationsService } from './integrations.service';
import { CreateIntegrationDto } from './dto/create-integration.dto';
import { UpdateIntegrationDto } from './dto/update-integration.dto';
import { ListIntegrationsQuery } from './dto/list-integrations.query';
import { ApiKeyCreatedDto, IntegrationDto, IntegrationListDto } from './dto/integration.response';
import { toIntegrationView } from './integration.presenter';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { mapPage } from '../common/http/page';
import { AdminController } from '../admin/admin-controller.decorator';
import { Audited } from '../audit/audit.decorators';

@AdminController('api/v1/admin/integrations', 'Admin: integrations')
export class IntegrationsAdminController {
  constructor(private readonly integrations: IntegrationsService) {}

  @Get()
  @ApiOperation({ summary: 'List integrations, newest first' })
  @ApiOkResponse({ type: IntegrationListDto })
  async list(@Query() query: ListIntegrationsQuery) {
    const page = await this.integrations.list(query);
    return mapPage(page, toIntegrationView);
  }

  @Post()
  @Audited('integration.create')
  @ApiOperation({
    summary: 'Create an integration',
    description: 'Create an API key for it with POST …/{id}/api-keys.',
  })
  @ApiCreatedResponse({ type: IntegrationDto })
  @ApiBadRequestResponse({
    description: 'Invalid field (named in `errors`)',
    type: ProblemDetailsDto,
  })
  @ApiConflictResponse({ description: '`oidc_client_id_in_use`', type: ProblemDetailsDto })
  async create(@Body() dto: CreateIntegrationDto) {
    return toIntegrationView(await this.integrations.create(dto));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an integration' })
  @ApiOkResponse({ type: IntegrationDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@Param('id') id: string) {
    return toIntegrationView(await this.integrations.get(id));
  }

  @Patch(':id')
  @Audited('integration.update')
  @ApiOperation({
    summary: 'Change an integration',
    description: '`null` clears `defaultProviderAccountId` or `oidcClientId`.',
  })
  @ApiOkResponse({ type: IntegrationDto })
  @ApiBadRequestResponse({
    description: 'Invalid field (named in `errors`)',
    type: ProblemDetailsDto,
  })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ description: '`oidc_client_id_in_use`', type: ProblemDetailsDto })
  async update(@Param('id') id: string, @Body() dto: UpdateIntegrationDto) {
    return toIntegrationView(await this.integrations.update(id, dto));
  }

  @Delete(':id')
  @Audited('integration.delete')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete an integration with its API keys, notification endpoints and routing rules',
    description:
      'Refused (`409 integration_has_payments`) once it has payments: revoke its API keys instead.',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ description: '`integration_has_payments`', type: ProblemDetailsDto })
  async delete(@Param('id') id: string): Promise<void> {
    await this.integrations.delete(id);
  }

  @Post(':id/api-keys')
  @Audited('api_key.create', { targetParam: 'keyId' })
  @ApiOperation({
    summary: 'Create an API key',
    description: 'The key is in this response only; the server keeps just its hash.',
  })
  @ApiCreatedResponse({ type: ApiKeyCreatedDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async createApiKey(@Param('id') id: string) {
    return this.integrations.createApiKey(id);
  }

  @Delete(':id/api-keys/:keyId')
  @Audited('api_key.revoke', { targetParam: 'keyId' })
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke an API key',
    description: 'Effective at once: the next request with it is 401.',
  })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({
    description: 'No such active key on this integration',
    type: ProblemDetailsDto,
  })
  async revokeApiKey(@Param('id') id: string, @Param('keyId') keyId: string): Promise<void> {
    await this.integrations.revokeApiKey(id, keyId);
  }
}
