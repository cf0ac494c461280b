import { Body, Controller, Get, Headers, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentIntegration, IntegrationAuth } from '../auth/auth.decorators';
import { Integration } from '../integrations/integration.entity';
import { PaymentsService } from './payments.service';
import { PaymentIdParam } from './payment-id.param';
import { RefundsService } from './refunds.service';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { idempotentReply } from '../idempotency/idempotent-reply';
import { requestIdOf } from '../common/http/request-id';
import { CreatePaymentDto } from './dto/create-payment.dto';
import { CapturePaymentDto } from './dto/capture-payment.dto';
import { CreateRefundDto } from './dto/create-refund.dto';
import { ListPaymentsQuery } from './dto/list-payments.query';
import {
  PaymentDto,
  PaymentEventListDto,
  PaymentListDto,
  RefundDto,
  RefundListDto,
} from './dto/payment.response';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { toEventView, toPaymentView, toRefundView } from './payment.presenter';
import { ApiCaptureOrCancel, REFUND_DESCRIPTION } from './dto/operation-docs';

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Same key + same body returns the stored response with `Idempotent-Replayed: true`, also a stored error (a 4xx/5xx produced after the request was accepted; 400 validation errors are not stored); another body is 422; while the first runs, 409. A key whose request died is free again after PAYMENTSERVER_IDEMPOTENCY_LEASE_SECONDS. Kept 24 h.',
};

@ApiTags('Payments')
@ApiSecurity('api-key')
@ApiSecurity('oidc')
@ApiUnauthorizedResponse({ description: 'Missing or invalid API key', type: ProblemDetailsDto })
@IntegrationAuth()
@Controller('api/v1/payments')
export class PaymentsController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly refunds: RefundsService,
    private readonly idempotency: IdempotencyService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Create a payment',
    description:
      'Routes the payment to a provider and returns it with `checkoutUrl`, the hosted payment page to send the customer to.',
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({ type: PaymentDto })
  @ApiBadRequestResponse({
    description: 'Invalid field (named in `errors`)',
    type: ProblemDetailsDto,
  })
  @ApiConflictResponse({ description: '`idempotency_key_in_use`', type: ProblemDetailsDto })
  @ApiUnprocessableEntityResponse({
    description: '`idempotency_key_reused`, `no_route`, `provider_account_not_allowed`',
    type: ProblemDetailsDto,
  })
  async create(
    @CurrentIntegration() integration: Integration,
    @Body() dto: CreatePaymentDto,
    @Headers('idempotency-key') key: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.idempotency.execute(
      integration.id,
      'POST /payments',
      IdempotencyService.validateKey(key),
      dto,
      async () => ({
        status: 201,
        body: toPaymentView(await this.payments.create(integration, dto)),
      }),
      requestIdOf(req),
    );
    return idempotentReply(res, result);
  }

  @Get()
  @ApiOperation({ summary: 'List payments, newest first' })
  @ApiOkResponse({ type: PaymentListDto })
  async list(@CurrentIntegration() integration: Integration, @Query() query: ListPaymentsQuery) {
    const page = await this.payments.list({ integrationId: integration.id }, query);
    return { data: page.data.map(toPaymentView), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a payment' })
  @ApiOkResponse({ type: PaymentDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@CurrentIntegration() integration: Integration, @PaymentIdParam() id: string) {
    return toPaymentView(await this.payments.get({ integrationId: integration.id }, id));
  }

  @Post(':id/capture')
  @HttpCode(200)
  @ApiCaptureOrCancel('capture')
  async capture(
    @CurrentIntegration() integration: Integration,
    @PaymentIdParam() id: string,
    @Body() dto: CapturePaymentDto,
  ) {
    return toPaymentView(await this.payments.capture({ integrationId: integration.id }, id, dto));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiCaptureOrCancel('cancel')
  async cancel(@CurrentIntegration() integration: Integration, @PaymentIdParam() id: string) {
    return toPaymentView(await this.payments.cancel({ integrationId: integration.id }, id));
  }

  @Post(':id/refunds')
  @ApiOperation({
    summary: 'Refund a payment (all that is left, or `amount`)',
    description: REFUND_DESCRIPTION,
  })
  @ApiHeader(IDEMPOTENCY_HEADER)
  @ApiCreatedResponse({ type: RefundDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({
    description: '`invalid_payment_state`, `idempotency_key_in_use`',
    type: ProblemDetailsDto,
  })
  @ApiUnprocessableEntityResponse({
    description:
      '`refund_exceeds_available`, `not_supported_by_provider`, `idempotency_key_reused`',
    type: ProblemDetailsDto,
  })
  async refund(
    @CurrentIntegration() integration: Integration,
    @PaymentIdParam() id: string,
    @Body() dto: CreateRefundDto,
    @Headers('idempotency-key') key: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const validKey = IdempotencyService.validateKey(key);
    const requestKey = IdempotencyService.requestKey(integration.id, validKey, dto);
    const result = await this.idempotency.execute(
      integration.id,
      `POST /payments/${id}/refunds`,
      validKey,
      dto,
      async () => ({
        status: 201,
        body: toRefundView(
          await this.refunds.create({ integrationId: integration.id }, id, dto, requestKey),
        ),
      }),
      requestIdOf(req),
    );
    return idempotentReply(res, result);
  }

  @Get(':id/refunds')
  @ApiOperation({ summary: "List a payment's refunds" })
  @ApiOkResponse({ type: RefundListDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async listRefunds(@CurrentIntegration() integration: Integration, @PaymentIdParam() id: string) {
    const refunds = await this.refunds.list({ integrationId: integration.id }, id);
    return { data: refunds.map(toRefundView), nextCursor: null };
  }

  @Get(':id/events')
  @ApiOperation({ summary: "The payment's status history, including ignored updates" })
  @ApiOkResponse({ type: PaymentEventListDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async events(@CurrentIntegration() integration: Integration, @PaymentIdParam() id: string) {
    const events = await this.payments.events({ integrationId: integration.id }, id);
    return { data: events.map(toEventView), nextCursor: null };
  }
}
