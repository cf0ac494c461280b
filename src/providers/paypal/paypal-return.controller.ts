import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import type { Response } from 'express';
import { Repository } from 'typeorm';
import { Public } from '../../auth/auth.decorators';
import { NotFoundError } from '../../common/errors/domain-error';
import { Payment } from '../../payments/entities/payment.entity';
import { ReconciliationService } from '../../reconciliation/reconciliation.service';

/** What PayPal appends to the return and cancel URLs; passed on to the shop. */
const PASSED_ON = ['token', 'PayerID'];

/**
 * The buyer's way back from PayPal. PayPal returns the buyer here (on the webhook surface, so
 * the public listener serves it too); an approved order is captured (or authorized) at once
 * through the rate-limited poll, then the buyer goes on to the shop's returnUrl. This does not
 * wait for the CHECKOUT.ORDER.APPROVED webhook, and does not depend on it arriving.
 */
@ApiTags('Webhooks from providers')
@Public()
@Controller('webhooks/paypal')
export class PayPalReturnController {
  constructor(
    @InjectRepository(Payment) private readonly payments: Repository<Payment>,
    private readonly reconciliation: ReconciliationService,
  ) {}

  @Get(':providerAccountId/return/:paymentId')
  @ApiOperation({
    summary: "PayPal buyer's return",
    description: "PayPal's return_url: captures (or authorizes) the approved order now, then redirects to the payment's returnUrl with PayPal's token and PayerID.",
  })
  @ApiResponse({ status: 303, description: "To the payment's returnUrl" })
  @ApiResponse({ status: 404, description: 'No such PayPal payment on this account' })
  async returned(
    @Param('providerAccountId') accountId: string,
    @Param('paymentId') paymentId: string,
    @Query() query: Record<string, string>,
    @Res() res: Response,
  ): Promise<void> {
    const payment = await this.find(accountId, paymentId);
    if (payment.providerPaymentId) {
      // A failure here is not the buyer's problem: the webhook and reconciliation still follow.
      await this.reconciliation.pollByProviderId(accountId, payment.providerPaymentId).catch(() => undefined);
    }
    res.redirect(303, this.onward(payment.returnUrl, query));
  }

  @Get(':providerAccountId/cancel/:paymentId')
  @ApiOperation({ summary: "PayPal buyer's cancel", description: "PayPal's cancel_url: redirects to the payment's cancelUrl (or returnUrl); the status does not change." })
  @ApiResponse({ status: 303, description: "To the payment's cancelUrl" })
  async canceled(
    @Param('providerAccountId') accountId: string,
    @Param('paymentId') paymentId: string,
    @Query() query: Record<string, string>,
    @Res() res: Response,
  ): Promise<void> {
    const payment = await this.find(accountId, paymentId);
    res.redirect(303, this.onward(payment.cancelUrl ?? payment.returnUrl, query));
  }

  private async find(accountId: string, paymentId: string): Promise<Payment> {
    const payment = await this.payments.findOneBy({ id: paymentId, providerAccountId: accountId });
    if (!payment || payment.providerName !== 'paypal') throw new NotFoundError('Payment', paymentId);
    return payment;
  }

  private onward(url: string, query: Record<string, string>): string {
    const target = new URL(url);
    for (const name of PASSED_ON) {
      if (typeof query[name] === 'string') target.searchParams.set(name, query[name]);
    }
    return target.toString();
  }
}
