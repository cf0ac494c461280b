import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { MetricsService } from './metrics.service';

/** Internal listener only (the public one serves nothing but webhooks), like health. */
@ApiTags('Metrics')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Prometheus text exposition format 0.0.4. Every name starts with `paymentserver_`; the README lists them with their labels. Turned off (404) with `PAYMENTSERVER_METRICS=false`.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'The metrics',
    schema: {
      type: 'string',
      example: 'paymentserver_payments_created_total{provider="test",outcome="created"} 1',
    },
  })
  async scrape(@Res() res: Response): Promise<void> {
    const body = await this.metrics.registry.metrics();
    // Written as is: Express's send() would reorder the content type's parameters.
    res.status(200).setHeader('Content-Type', this.metrics.registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.end(body);
  }
}
