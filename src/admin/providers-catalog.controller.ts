import { Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { methodCurrencies, methodFeatures } from '../providers/capabilities';
import { ProviderRegistry } from '../providers/provider.registry';
import type { PaymentProvider } from '../providers/provider.interface';
import { AdminController } from './admin-controller.decorator';
import { ProviderCatalogDto, type ProviderCatalogEntryDto } from './dto/provider-catalog.dto';

/** The connectors this server has, as declared: what an account form and a routing console need. */
@AdminController('api/v1/admin/providers', 'Admin: provider accounts')
export class ProvidersCatalogController {
  constructor(private readonly registry: ProviderRegistry) {}

  @Get()
  @ApiOperation({
    summary: 'The providers this server can use: credential schema and capabilities per method',
    description:
      "Read-only (viewer tokens too). Each provider's label, where to get its credentials, the credential fields (name, label, secret, required, pattern), and what it can do per payment method. No PSP is called.",
  })
  @ApiOkResponse({ type: ProviderCatalogDto })
  list(): ProviderCatalogDto {
    const data = this.registry
      .names()
      .map((name) => entry(this.registry.get(name)!))
      .sort((a, b) => a.label.localeCompare(b.label));
    return { data };
  }
}

function entry(provider: PaymentProvider): ProviderCatalogEntryDto {
  const caps = provider.capabilities;
  return {
    name: provider.name,
    label: provider.description.label,
    help: provider.description.help,
    credentials: provider.description.credentials.map((field) => ({ ...field })),
    capabilities: {
      currencies: caps.currencies === 'any' ? ['any'] : [...caps.currencies],
      defaults: methodFeatures(caps, null),
      methods: caps.methods.map((method) => ({
        method,
        currencies: [...methodCurrencies(caps, method)],
        ...methodFeatures(caps, method),
      })),
      minimumAmounts: { ...caps.minimumAmounts } as Record<string, number>,
      polling: caps.polling,
    },
  };
}
