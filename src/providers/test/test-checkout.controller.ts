import { Body, Controller, Get, Header, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../auth/auth.decorators';
import { ConflictError, NotFoundError } from '../../common/errors/domain-error';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { ProviderError } from '../provider-error';
import { TestProviderLedger } from './test-provider.ledger';
import type { TestProviderPayment } from './test-provider-payment.entity';
import { TestWebhookSender } from './test-webhook.sender';
import { renderCheckoutPage } from './test-checkout.page';
import { TestCheckoutForm, TestWebhookRequest } from './test-checkout.dto';

/**
 * The test provider's "PSP side": its hosted checkout page and a developer hook to send any
 * webhook (late, duplicate, out of order). Registered only when the test provider is enabled.
 */
@ApiExcludeController()
@Public()
@Controller('test-provider')
export class TestCheckoutController {
  constructor(
    private readonly ledger: TestProviderLedger,
    private readonly sender: TestWebhookSender,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('checkout/:id')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action *")
  async page(@Param('id') id: string): Promise<string> {
    const row = await this.payment(id);
    if (await this.ledger.expireIfDue(row))
      await this.sender.send(row.accountId, this.sender.body(row, row.status));
    return renderCheckoutPage(row);
  }

  /** Submitting the page: moves the payment, sends its signed webhook, sends the customer back. */
  @Post('checkout/:id')
  async submit(
    @Param('id') id: string,
    @Body() form: TestCheckoutForm,
    @Res() res: Response,
  ): Promise<void> {
    const row = await this.payment(id);
    // Past its expiry the page takes nothing: the payment expires and the shop is told.
    if (await this.ledger.expireIfDue(row))
      await this.sender.send(row.accountId, this.sender.body(row, row.status));
    if (!['open', 'pending'].includes(row.status)) {
      throw new ConflictError('payment_not_open', `Test payment ${id} is already ${row.status}`);
    }
    const times = form.duplicate === 'true' ? 2 : 1;
    const delayMs = Number(form.delayMs ?? 0);
    const bodies: string[] = [];
    if (form.pendingFirst === 'true') bodies.push(this.sender.body(row, 'pending'));
    // A customer who leaves without paying (cancel, expiry) never picked a method.
    const methodUsed = ['canceled', 'expired'].includes(form.outcome)
      ? null
      : (form.method ?? row.method ?? 'card');
    const changes =
      form.outcome === 'paid'
        ? { status: 'paid', amountCaptured: row.amountValue, methodUsed }
        : { status: form.outcome, methodUsed };
    await this.ledger.update(row, changes);
    bodies.push(this.sender.body(row, row.status));

    for (const body of form.dropWebhook === 'true' ? [] : bodies) {
      if (delayMs > 0) this.sender.later(row.accountId, body, delayMs, times);
      else await this.sender.send(row.accountId, body, times);
    }
    const target = form.outcome === 'canceled' && row.cancelUrl ? row.cancelUrl : row.returnUrl;
    res.redirect(303, target);
  }

  /**
   * Developer hook: deliver a webhook with any status now, without changing the ledger.
   * Unauthenticated, so development-only (PAYMENTSERVER_TEST_PROVIDER_MANUAL_WEBHOOKS).
   */
  @Post('payments/:id/webhooks')
  @HttpCode(200)
  async sendWebhook(
    @Param('id') id: string,
    @Body() request: TestWebhookRequest,
  ): Promise<{ deliveries: number[] }> {
    if (!this.config.server.testProviderManualWebhooks)
      throw new NotFoundError('Route', `POST /test-provider/payments/${id}/webhooks`);
    const row = await this.payment(id);
    const body = this.sender.body(row, request.status);
    return { deliveries: await this.sender.send(row.accountId, body, request.times ?? 1) };
  }

  /** The ledger's row; one it does not have is this page's 404, not a failed provider call. */
  private async payment(id: string): Promise<TestProviderPayment> {
    try {
      return await this.ledger.get(id);
    } catch (error) {
      if (error instanceof ProviderError && error.code === 'not_found')
        throw new NotFoundError('Test payment', id);
      throw error;
    }
  }
}
