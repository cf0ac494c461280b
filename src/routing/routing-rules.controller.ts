import { Body, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { mapPage } from '../common/http/page';
import { RoutingRulesService } from './routing-rules.service';
import { toRoutingRuleView } from './routing-rule.presenter';
import {
  CreateRoutingRuleDto,
  ListRoutingRulesQuery,
  RoutingRuleDto,
  RoutingRuleListDto,
  UpdateRoutingRuleDto,
} from './dto/routing-rule.dto';
import { AdminController } from '../admin/admin-controller.decorator';
import { Audited } from '../audit/audit.decorators';

@AdminController('api/v1/admin/routing-rules', 'Admin: routing rules')
export class RoutingRulesController {
  constructor(private readonly rules: RoutingRulesService) {}

  @Get()
  @ApiOperation({ summary: 'List routing rules in evaluation order (lowest priority first)' })
  @ApiOkResponse({ type: RoutingRuleListDto })
  async list(@Query() query: ListRoutingRulesQuery) {
    const page = await this.rules.list(query);
    return mapPage(page, toRoutingRuleView);
  }

  @Post()
  @Audited('routing_rule.create')
  @ApiOperation({
    summary: 'Create a routing rule',
    description:
      'For each new payment the first enabled rule (lowest priority) whose conditions all hold decides. Several targets split traffic by weight, sticky per customer (customer.email, else reference). Takes effect on the next payment on every server instance.',
  })
  @ApiCreatedResponse({ type: RoutingRuleDto })
  @ApiBadRequestResponse({
    description:
      'Invalid field, unknown account or integration, priority already taken (named in `errors`)',
    type: ProblemDetailsDto,
  })
  async create(@Body() dto: CreateRoutingRuleDto) {
    return toRoutingRuleView(await this.rules.create(dto));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a routing rule' })
  @ApiOkResponse({ type: RoutingRuleDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@Param('id') id: string) {
    return toRoutingRuleView(await this.rules.get(id));
  }

  @Patch(':id')
  @Audited('routing_rule.update')
  @ApiOperation({
    summary: 'Change a routing rule',
    description: '`conditions`, `targets` and `fallback` are replaced whole when given.',
  })
  @ApiOkResponse({ type: RoutingRuleDto })
  @ApiBadRequestResponse({ type: ProblemDetailsDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async update(@Param('id') id: string, @Body() dto: UpdateRoutingRuleDto) {
    return toRoutingRuleView(await this.rules.update(id, dto));
  }

  @Delete(':id')
  @Audited('routing_rule.delete')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a routing rule' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async remove(@Param('id') id: string): Promise<void> {
    await this.rules.remove(id);
  }
}
