import { Body, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
} from '@nestjs/swagger';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { mapPage } from '../common/http/page';
import { NotificationEndpointsService } from './notification-endpoints.service';
import { toDeliveryView, toEndpointView } from './notification-endpoint.presenter';
import {
  CreateNotificationEndpointDto,
  DeliveryCountsDto,
  ListDeliveriesQuery,
  ListEndpointsQuery,
  NotificationDeliveryDto,
  NotificationDeliveryListDto,
  NotificationEndpointCreatedDto,
  NotificationEndpointDto,
  NotificationEndpointListDto,
  RotateSecretDto,
  SecretRotatedDto,
  UpdateNotificationEndpointDto,
} from './dto/notification-endpoint.dto';
import { AdminController } from '../admin/admin-controller.decorator';
import { Audited } from '../audit/audit.decorators';

@AdminController('api/v1/admin/notification-endpoints', 'Admin: notification endpoints')
export class NotificationEndpointsController {
  constructor(private readonly endpoints: NotificationEndpointsService) {}

  @Get()
  @ApiOperation({ summary: 'List notification endpoints, newest first' })
  @ApiOkResponse({ type: NotificationEndpointListDto })
  async list(@Query() query: ListEndpointsQuery) {
    const page = await this.endpoints.list(query);
    return mapPage(page, toEndpointView);
  }

  @Get('stats')
  @ApiOperation({
    summary:
      'Delivery counts (pending, failing, delivered, dead) over all endpoints, or one integration’s',
  })
  @ApiQuery({ name: 'integrationId', required: false })
  @ApiOkResponse({ type: DeliveryCountsDto })
  async stats(@Query() query: ListEndpointsQuery) {
    return this.endpoints.counts({ integrationId: query.integrationId });
  }

  @Post()
  @Audited('notification_endpoint.create')
  @ApiOperation({
    summary: 'Add a notification endpoint',
    description:
      'A `webhook` endpoint gets a `whsec_…` secret, returned in this response only (Standard Webhooks signing). ' +
      'A `rabbitmq` endpoint publishes to a durable topic exchange (default `paymentserver.events`).',
  })
  @ApiCreatedResponse({ type: NotificationEndpointCreatedDto })
  @ApiBadRequestResponse({ type: ProblemDetailsDto })
  async create(@Body() dto: CreateNotificationEndpointDto) {
    const { endpoint, secret } = await this.endpoints.create(dto);
    return { ...toEndpointView(endpoint), ...(secret ? { secret } : {}) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a notification endpoint with its delivery counts' })
  @ApiOkResponse({ type: NotificationEndpointDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@Param('id') id: string) {
    const endpoint = await this.endpoints.get(id);
    return {
      ...toEndpointView(endpoint),
      deliveryCounts: await this.endpoints.counts({ endpointId: id }),
    };
  }

  @Patch(':id')
  @Audited('notification_endpoint.update')
  @ApiOperation({ summary: 'Change a notification endpoint' })
  @ApiOkResponse({ type: NotificationEndpointDto })
  @ApiBadRequestResponse({ type: ProblemDetailsDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async update(@Param('id') id: string, @Body() dto: UpdateNotificationEndpointDto) {
    return toEndpointView(await this.endpoints.update(id, dto));
  }

  @Delete(':id')
  @Audited('notification_endpoint.delete')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a notification endpoint and its delivery history' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async remove(@Param('id') id: string) {
    await this.endpoints.remove(id);
  }

  @Post(':id/rotate-secret')
  @Audited('notification_endpoint.rotate_secret')
  @ApiOperation({
    summary: 'Rotate a webhook endpoint’s secret',
    description:
      'The new secret is returned once. For `graceSeconds` (default one day) every message carries signatures with the old and the new secret.',
  })
  @ApiCreatedResponse({ type: SecretRotatedDto })
  @ApiBadRequestResponse({ type: ProblemDetailsDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async rotate(@Param('id') id: string, @Body() dto: RotateSecretDto) {
    const { secret, endpoint } = await this.endpoints.rotateSecret(id, dto.graceSeconds);
    return {
      secret,
      previousSecretExpiresAt: toEndpointView(endpoint).previousSecretExpiresAt,
    };
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'Deliveries to this endpoint, newest first, each with its attempts' })
  @ApiOkResponse({ type: NotificationDeliveryListDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async deliveries(@Param('id') id: string, @Query() query: ListDeliveriesQuery) {
    const page = await this.endpoints.listDeliveries(id, query);
    return mapPage(page, (d) => toDeliveryView(d.delivery, d.attempts));
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @Audited('delivery.retry', { targetParam: 'deliveryId' })
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send a delivery again now (also a dead or delivered one)',
    description:
      'A failing or dead delivery is tried again now (a dead one gets one more try). A delivered one is re-sent: the same event, so the same `webhook-id` (RabbitMQ: `messageId`), signed anew, recorded as a new attempt; if that send fails it is retried on the usual schedule. Concurrent requests (on any server instance) reopen the delivery once and the others get it queued; while an attempt is in flight the answer is 409 `delivery_in_flight`.',
  })
  @ApiAcceptedResponse({ type: NotificationDeliveryDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({
    description: '`delivery_in_flight`: a worker is sending it right now; ask again afterwards',
    type: ProblemDetailsDto,
  })
  async retry(@Param('id') id: string, @Param('deliveryId') deliveryId: string) {
    return toDeliveryView(await this.endpoints.retryDelivery(id, deliveryId));
  }
}
