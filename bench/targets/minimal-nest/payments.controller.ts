import { Body, Controller, Get, Inject, Post, Req } from '@nestjs/common';
import type { LimitStore } from '../limit-store';
import { paymentRows } from '../payment-rows';
import { IntegrationRequest, LIMIT_STORE, Public } from './api-key.guard';
import { CreatePaymentDto } from './create-payment.dto';

@Controller()
export class PaymentsController {
  constructor(@Inject(LIMIT_STORE) private readonly store: LimitStore) {}

  @Post('api/v1/payments')
  async create(@Req() request: IntegrationRequest, @Body() dto: CreatePaymentDto) {
    const rows = paymentRows(request.integrationId!, dto);
    await this.store.insertPayment(rows);
    return rows.view;
  }

  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
  }
}
