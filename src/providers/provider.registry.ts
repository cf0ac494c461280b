import { Inject, Injectable } from '@nestjs/common';
import { PAYMENT_PROVIDERS, PaymentProvider } from './provider.interface';

/** Looks connectors up by name; they are registered through the PAYMENT_PROVIDERS token. */
@Injectable()
export class ProviderRegistry {
  private readonly byName: Map<string, PaymentProvider>;

  constructor(@Inject(PAYMENT_PROVIDERS) providers: PaymentProvider[]) {
    this.byName = new Map(providers.map((provider) => [provider.name, provider]));
  }

  get(name: string): PaymentProvider | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }
}
