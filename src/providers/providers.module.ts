import { DynamicModule, Global, Module, Provider, Type } from '@nestjs/common';
import type { AppConfig } from '../config/app.config';
import { PAYMENT_PROVIDERS, PaymentProvider } from './provider.interface';
import { ProviderRegistry } from './provider.registry';
import { ProviderAccountsService } from './provider-accounts.service';
import { secretBoxProvider } from '../common/crypto/secret-box.provider';
import { SecretBox } from '../common/crypto/secret-box';
import { TestProvider } from './test/test.provider';
import { TestProviderLedger } from './test/test-provider.ledger';
import { TestWebhookSigner } from './test/test-webhook.signer';
import { TestWebhookSender } from './test/test-webhook.sender';
import { TestCheckoutController } from './test/test-checkout.controller';
import { TestProviderAccountSeeder } from './test/test-provider-account.seeder';
import { MollieProvider } from './mollie/mollie.provider';
import { StripeProvider } from './stripe/stripe.provider';
import { MultisafepayProvider } from './multisafepay/multisafepay.provider';
import { AdyenProvider } from './adyen/adyen.provider';
import { PayPalProvider } from './paypal/paypal.provider';

/** Every connector, registered under PAYMENT_PROVIDERS. Add a PSP here. */
const CONNECTORS: Type<PaymentProvider>[] = [
  MollieProvider,
  StripeProvider,
  MultisafepayProvider,
  AdyenProvider,
  PayPalProvider,
];

@Global()
@Module({})
export class ProvidersModule {
  /** `extraConnectors`: connectors registered by the embedding code (the test tree's examples). */
  static forRoot(
    config: AppConfig,
    extraConnectors: readonly Type<PaymentProvider>[] = [],
  ): DynamicModule {
    const testProvider = config.server.testProvider;
    const connectors: Type<PaymentProvider>[] = [
      ...CONNECTORS,
      ...extraConnectors,
      ...(testProvider ? [TestProvider] : []),
    ];
    const providers: Provider[] = [
      secretBoxProvider,
      ProviderRegistry,
      ProviderAccountsService,
      ...connectors,
      {
        provide: PAYMENT_PROVIDERS,
        inject: connectors,
        useFactory: (...instances: PaymentProvider[]) => instances,
      },
      ...(testProvider
        ? [TestProviderLedger, TestWebhookSigner, TestWebhookSender, TestProviderAccountSeeder]
        : []),
    ];
    return {
      module: ProvidersModule,
      controllers: testProvider ? [TestCheckoutController] : [],
      providers,
      exports: [ProviderRegistry, ProviderAccountsService, SecretBox],
    };
  }
}
