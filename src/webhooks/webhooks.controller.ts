import { Controller, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { WebhookIntakeService } from './webhook-intake.service';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';

/** The one internet-facing surface. Authenticated by each provider's own signature scheme. */
@ApiTags('Webhooks from providers')
@Public()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly intake: WebhookIntakeService) {}

  @Post(':provider/:providerAccountId')
  @ApiOperation({
    summary: "Receive a provider's webhook",
    description:
      "Verifies the provider's signature first, at no provider cost (PayPal: locally, with its cached signing certificate). A delivery that does not verify is answered 401 at once and changes nothing; the local payments it names may be polled at the provider, once each, within a per-account budget (`PAYMENTSERVER_WEBHOOK_POLL_BUDGET_PER_MINUTE`). A verified delivery is stored before answering (the inbox), exact repeats are ignored, and each item is applied only to the payment its signed fields name, with amount, currency and merchant account checked (a mismatch is stored as `rejected`). Mollie signs nothing: an id that is no local payment is answered 200 with no provider call and nothing stored; a local one is stored and its state fetched from Mollie. Processing that fails is retried with growing delays until `PAYMENTSERVER_WEBHOOK_RETRY_HORIZON_SECONDS`, then the delivery is `dead`. Answers what the provider expects (e.g. `[accepted]` for Adyen, `OK` for MultiSafepay). See docs/provider-webhooks.md.",
  })
  @ApiParam({ name: 'provider', example: 'test' })
  @ApiParam({ name: 'providerAccountId', example: 'test' })
  @ApiResponse({
    status: 200,
    description:
      'Accepted: stored (or, Mollie, naming no local payment: ignored); body as the provider expects',
    schema: { type: 'string', example: '[accepted]' },
  })
  @ApiResponse({
    status: 401,
    description: 'Signature did not verify; nothing stored, nothing changed',
    type: ProblemDetailsDto,
  })
  @ApiResponse({
    status: 413,
    description: 'Body over 1 MB; nothing stored',
    type: ProblemDetailsDto,
  })
  @ApiResponse({ status: 404, description: 'No such provider account', type: ProblemDetailsDto })
  async receive(
    @Param('provider') provider: string,
    @Param('providerAccountId') accountId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const ack = await this.intake.receive(provider, accountId, req.headers, rawBody);
    res.status(ack.status).type(ack.contentType).send(ack.body);
  }
}
