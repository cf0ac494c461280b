import { Body, Get, Headers, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { PaymentsService } from '../payments/payments.service';
import { PaymentIdParam } from '../payments/payment-id.param';
import { RefundsService } from '../payments/refunds.service';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { idempotentReply } from '../idempotency/idempotent-reply';
import { requestIdOf } from '../common/http/request-id';
import { CapturePaymentDto } from '../payments/dto/capture-payment.dto';
import { CreateRefundDto } from '../payments/dto/create-refund.dto';
import { PaymentEventListDto, RefundDto, RefundListDto } from '../payments/dto/payment.response';
import { AttentionService } from '../reconciliation/attention.service';
import { AdminPaymentDto, AdminPaymentListDto } from './dto/admin-payment.response';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { mapPage } from '../common/http/page';
import { toEventView, toPaymentView, toRefundView } from '../payments/payment.presenter';
import { AdminListPaymentsQuery } from './dto/admin-list-payments.query';
import { AdminController } from './admin-controller.decorator';
import { ApiCaptureOrCancel, REFUND_DESCRIPTION } from '../payments/dto/operation-docs';
import { Audited } from '../audit/audit.decorators';
import { ResolveAttentionDto } from './dto/resolve-attention.dto';

/** Payments across all integrations, for operators; the same services as the payment API. */
@AdminController('api/v1/admin/payments', 'Admin: payments')
export class PaymentsAdminController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly refunds: RefundsService,
    private readonly idempotency: IdempotencyService,
    private readonly attention: AttentionService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'List payments of every integration, newest first (with `needsAttention`)',
  })
  @ApiOkResponse({ type: AdminPaymentListDto })
  async list(@Query() query: AdminListPaymentsQuery) {
    const now = Date.now();
    const page = await this.payments.list(
      {
        integrationId: query.integrationId,
        provider: query.provider,
        attention: this.attention.filter(query.needsAttention, now),
      },
      query,
    );
    const notes = await this.attention.forPayments(page.data, now);
    return mapPage(page, (payment) => ({
      ...toPaymentView(payment),
      needsAttention: notes.get(payment.id) ?? null,
    }));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get any payment (with `needsAttention`)' })
  @ApiOkResponse({ type: AdminPaymentDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  async get(@PaymentIdParam() id: string) {
    const payment = await this.payments.get({}, id);
    const notes = await this.attention.forPayments([payment]);
    return { ...toPaymentView(payment), needsAttention: notes.get(payment.id) ?? null };
  }

  @Post(':id/attention/resolve')
  @Audited('payment.resolve_attention')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Clear a contradiction the provider reported, once checked there',
    description:
      "Clears the payment's `contradiction` attention (a success after it failed, was canceled or expired here; a capture or refund failed after it succeeded; a refused chargeback). Changes neither status nor money and notifies no shop; open captures, cancels and refunds keep their own attention until settled. The optional `note` goes to the server's log.",
  })
  @ApiOkResponse({ type: AdminPaymentDto })
  @ApiNotFoundResponse({ type: ProblemDetailsDto })
  @ApiConflictResponse({ description: '`nothing_to_resolve`', type: ProblemDetailsDto })
  async resolveAttention(@PaymentIdParam() id: string, @Body() dto: ResolveAttentionDto) {
    const payment = await this.attention.resolve(id, dto.note);
    const notes = await this.attention.forPayments([payment]);
    return { ...toPaymentView(payment), needsAttention: notes.get(payment.id) ?? null };
  }

  @Get(':id/events')
  @ApiOperation({ summary: "A payment's status history" })
  @ApiOkResponse({ type: PaymentEventListDto })
  async events(@PaymentIdParam() id: string) {
    return { data: (await this.payments.events({}, id)).map(toEventView), nextCursor: null };
  }

  @Post(':id/capture')
  @Audited('payment.capture')
  @HttpCode(200)
  @ApiCaptureOrCancel('capture')
  async capture(@PaymentIdParam() id: string, @Body() dto: CapturePaymentDto) {
    return toPaymentView(await this.payments.capture({}, id, dto));
  }

  @Post(':id/cancel')
  @Audited('payment.cancel')
  @HttpCode(200)
  @ApiCaptureOrCancel('cancel')
  async cancel(@PaymentIdParam() id: string) {
    return toPaymentView(await this.payments.cancel({}, id));
  }

  @Get(':id/refunds')
  @ApiOperation({ summary: "A payment's refunds" })
  @ApiOkResponse({ type: RefundListDto })
  async listRefunds(@PaymentIdParam() id: string) {
    return { data: (await this.refunds.list({}, id)).map(toRefundView), nextCursor: null };
  }

  @Post(':id/refunds')
  @Audited('payment.refund')
  @ApiOperation({
    summary: 'Refund a payment (all that is left, or `amount`)',
    description: REFUND_DESCRIPTION,
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({ type: RefundDto })
  @ApiConflictResponse({ type: ProblemDetailsDto })
  @ApiUnprocessableEntityResponse({
    description: '`refund_exceeds_available`',
    type: ProblemDetailsDto,
  })
  async refund(
    @PaymentIdParam() id: string,
    @Body() dto: CreateRefundDto,
    @Headers('idempotency-key') key: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    const payment = await this.payments.get({}, id);
    // Keys are scoped to the payment's integration: the shop and the operator share them.
    const validKey = IdempotencyService.validateKey(key);
    const requestKey = IdempotencyService.requestKey(payment.integrationId, validKey, dto);
    const result = await this.idempotency.execute(
      payment.integrationId,
      `POST /payments/${id}/refunds`,
      validKey,
      dto,
      async () => ({
        status: 201,
        body: toRefundView(await this.refunds.create({}, id, dto, requestKey)),
      }),
      requestIdOf(req),
    );
    return idempotentReply(res, result);
  }
}
