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
      "Verifies the provider's signature, stores the raw delivery before answering, ignores exact duplicates and applies the status change. Answers what the provider expects (e.g. `[accepted]` for Adyen, `OK` for MultiSafepay).",
  })
  @ApiParam({ name: 'provider', example: 'test' })
  @ApiParam({ name: 'providerAccountId', example: 'test' })
  @ApiResponse({ status: 200, description: 'Accepted (body as the provider expects)' })
  @ApiResponse({
    status: 401,
    description: 'Signature did not verify; nothing changed',
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
