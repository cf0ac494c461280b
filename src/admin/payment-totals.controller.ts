import { Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { PaymentTotalsDto, PaymentTotalsQuery } from './dto/payment-totals.dto';
import { PaymentTotalsService } from './payment-totals.service';
import { AdminController } from './admin-controller.decorator';

/** Totals for the admin payment list's filters (registered before `payments/:id`, see AdminModule). */
@AdminController('api/v1/admin/payments', 'Admin: payments')
export class PaymentTotalsController {
  constructor(private readonly totals: PaymentTotalsService) {}

  @Get('totals')
  @ApiOperation({
    summary: 'Counts and sums per currency of the payments a filter matches',
    description:
      'Takes the filters of `GET /api/v1/admin/payments` (without `limit` and `cursor`) and totals every matching payment, not one page.',
  })
  @ApiOkResponse({ type: PaymentTotalsDto })
  @ApiBadRequestResponse({ type: ProblemDetailsDto })
  async get(@Query() query: PaymentTotalsQuery): Promise<PaymentTotalsDto> {
    return this.totals.totals(query);
  }
}
