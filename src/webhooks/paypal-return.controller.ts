import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { InjectRepository } from '@nestjs/typeorm';
import type { Response } from 'express';
import { Repository } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { NotFoundError } from '../common/errors/domain-error';
import { Payment } from '../payments/entities/payment.entity';
import { OnDemandPoller } from './on-demand-poller.service';

/** What PayPal appends to the return and cancel URLs; passed on to the shop. */
const PASSED_ON = ['token', 'PayerID'];

/**
 * The buyer's way back from PayPal: `GET /webhooks/paypal/{accountId}?return={paymentId}` (or
 * `?cancel=`), on the webhook surface so that the public listener serves it too. An approved
 * order is captured (or authorized) at once through the on-demand poll (unauthenticated, so at
 * most once per payment per 10 s and within the account's webhook poll budget), then the buyer
 * goes on to the shop's returnUrl. This neither waits for nor depends on the
 * CHECKOUT.ORDER.APPROVED webhook.
 */
@ApiTags('Webhooks from providers')
@Public()
@Controller('webhooks/paypal')
export class PayPalReturnController {
  constructor(
    @InjectRepository(Payment) private readonly payments: Repository<Payment>,
    private readonly poller: OnDemandPoller,
  ) {}

  @Get(':providerAccountId')
  @ApiOperation({
    summary: "PayPal buyer's return or cancel",
    description:
      "PayPal's return_url (`?return={paymentId}`): captures (or authorizes) the approved order now, then redirects to the payment's returnUrl with PayPal's token and PayerID. Its cancel_url (`?cancel={paymentId}`): redirects to the payment's cancelUrl (or returnUrl); the status does not change.",
  })
  @ApiQuery({ name: 'return', required: false, description: 'payment id (return_url)' })
  @ApiQuery({ name: 'cancel', required: false, description: 'payment id (cancel_url)' })
  @ApiResponse({ status: 303, description: "To the payment's returnUrl or cancelUrl" })
  @ApiResponse({ status: 404, description: 'No such PayPal payment on this account' })
  async back(
    @Param('providerAccountId') accountId: string,
    @Query() query: Record<string, string>,
    @Res() res: Response,
  ): Promise<void> {
    const canceled = typeof query.cancel === 'string';
    const payment = await this.find(accountId, canceled ? query.cancel : query.return);
    if (!canceled && payment.providerPaymentId) {
      // A failure here is not the buyer's problem: the webhook and reconciliation still follow.
      await this.poller.pollIfDue(payment).catch(() => undefined);
    }
    res.redirect(
      303,
      this.onward(canceled ? (payment.cancelUrl ?? payment.returnUrl) : payment.returnUrl, query),
    );
  }

  private async find(accountId: string, paymentId: string | undefined): Promise<Payment> {
    const payment =
      typeof paymentId === 'string'
        ? await this.payments.findOneBy({ id: paymentId, providerAccountId: accountId })
        : null;
    if (!payment || payment.providerName !== 'paypal')
      throw new NotFoundError('Payment', String(paymentId ?? ''));
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
