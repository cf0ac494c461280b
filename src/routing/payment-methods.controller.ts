import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentIntegration, IntegrationAuth } from '../auth/auth.decorators';
import { ProblemDetailsDto } from '../common/errors/problem-details.dto';
import { Integration } from '../integrations/integration.entity';
import { PaymentMethodsService } from './payment-methods.service';
import { PaymentMethodListDto, PaymentMethodsQuery } from './dto/payment-methods.dto';

@ApiTags('Payments')
@ApiSecurity('api-key')
@ApiSecurity('oidc')
@ApiUnauthorizedResponse({ description: 'Missing or invalid API key', type: ProblemDetailsDto })
@IntegrationAuth()
@Controller('api/v1/payment-methods')
export class PaymentMethodsController {
  constructor(private readonly methods: PaymentMethodsService) {}

  @Get()
  @ApiOperation({
    summary: 'Payment methods for a payment with these values (for the shop’s method picker)',
    description:
      "Answered from this integration's routing (the rule that would match, all its targets, its fallback, the default account) and each account's capabilities (enabled, allowed for the integration, method and currency supported). No provider is called; the answer is cached until the next routing, provider-account or default-account change. Methods no account can take are left out. Rules with metadata conditions never match here (the listing has no metadata).",
  })
  @ApiOkResponse({ type: PaymentMethodListDto })
  @ApiBadRequestResponse({
    description: 'Invalid amount, currency or country (named in `errors`)',
    type: ProblemDetailsDto,
  })
  async list(
    @CurrentIntegration() integration: Integration,
    @Query() query: PaymentMethodsQuery,
  ): Promise<PaymentMethodListDto> {
    return { data: await this.methods.list(integration, query) };
  }
}
