import { Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
} from '@nestjs/swagger';
import { AdminController } from '../admin/admin-controller.decorator';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { mapPage } from '../common/http/page';
import { WebhookInboxService } from './webhook-inbox.service';
import { toProviderWebhookDetail, toProviderWebhookView } from './webhook-delivery.presenter';
import {
  ListProviderWebhooksQuery,
  ProviderWebhookDetailDto,
  ProviderWebhookListDto,
} from './dto/provider-webhook.dto';
import { Audited } from '../audit/audit.decorators';

const ID_PARAM = { name: 'id', example: 'whk_4Rt7Yu1IoP0aSd9Fg2Hj3Kl6' };

/** The provider webhook inbox (webhook_deliveries) for operators: see, inspect, replay. */
@AdminController('api/v1/admin/provider-webhooks', 'Admin: provider webhook inbox')
export class ProviderWebhooksAdminController {
  constructor(private readonly inbox: WebhookInboxService) {}

  @Get()
  @ApiOperation({
    summary: 'List stored provider webhooks, newest first',
    description:
      'Every delivery the inbox holds, the `failed`, `dead` and `rejected` ones included (kept until `PAYMENTSERVER_RETENTION_DAYS` after they were last processed). Filter by account, status or payment; page with `nextCursor`.',
  })
  @ApiOkResponse({ type: ProviderWebhookListDto })
  @ApiBadRequestResponse({
    description: 'A bad `status`, `limit` (1–100) or `cursor`, naming the field',
    type: ProblemDetailsDto,
  })
  async list(@Query() query: ListProviderWebhooksQuery) {
    return mapPage(await this.inbox.list(query), toProviderWebhookView);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'One stored provider webhook with its headers and body',
    description:
      'Header names as received; signature, authorization, token, key and cookie header values masked. The body with signatures (e.g. Adyen `hmacSignature`), secrets and tokens (by field name) and card-like numbers masked.',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: ProviderWebhookDetailDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@Param('id') id: string) {
    return toProviderWebhookDetail(await this.inbox.get(id));
  }

  @Post(':id/replay')
  @Audited('provider_webhook.replay')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Process a stored provider webhook again',
    description:
      'Runs the delivery through the same processing as on arrival, whatever its status (`dead`, `failed`, `rejected` and `processed` included), and answers it as it is afterwards. Signed fields are checked again: a `rejected` one stays rejected while they contradict the payment. An unsigned one (Mollie) fetches the payment state from the provider again, within the poll budget. An update already applied changes nothing: the state machine ignores repeats. Counts as one more attempt; failing again keeps its retry schedule, or makes it `dead` past the retry horizon.',
  })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: ProviderWebhookDetailDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({
    description:
      '`webhook_delivery_busy`: it is being processed right now (arrival, retry job or another replay)',
    type: ProblemDetailsDto,
  })
  async replay(@Param('id') id: string) {
    return toProviderWebhookDetail(await this.inbox.replay(id));
  }
}
