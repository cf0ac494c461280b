import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app.config';
import { newId } from '../../common/ids/id';
import { TestProviderPayment } from './test-provider-payment.entity';
import { TEST_SIGNATURE_HEADER, TestWebhookSigner } from './test-webhook.signer';
import type { TestWebhookBody } from './test.provider';

/** Delivers the test provider's webhooks over real HTTP, like a PSP would. */
@Injectable()
export class TestWebhookSender {
  private readonly logger = new Logger('TestProviderWebhooks');

  constructor(
    private readonly signer: TestWebhookSigner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  body(row: TestProviderPayment, status: string): string {
    const body: TestWebhookBody = {
      id: newId('tpevt'),
      type: 'payment.updated',
      createdAt: new Date().toISOString(),
      data: {
        id: row.id,
        status,
        amount: { value: row.amountValue, currency: row.currency },
        amountCaptured: row.amountCaptured,
        ...(row.methodUsed ? { method: row.methodUsed } : {}),
      },
    };
    return JSON.stringify(body);
  }

  /** Sends `body` (the same bytes each time when `times` > 1: an exact duplicate). */
  async send(accountId: string, body: string, times = 1): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < times; i++) {
      try {
        const response = await fetch(
          `${this.config.server.internalUrl}/webhooks/test/${accountId}`,
          {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              [TEST_SIGNATURE_HEADER]: this.signer.sign(accountId, body),
            },
            body,
            signal: AbortSignal.timeout(10_000),
          },
        );
        await response.arrayBuffer();
        statuses.push(response.status);
      } catch (error) {
        this.logger.warn({
          msg: 'test webhook delivery failed',
          accountId,
          error: (error as Error).message,
        });
        statuses.push(0);
      }
    }
    return statuses;
  }

  later(accountId: string, body: string, delayMs: number, times = 1): void {
    setTimeout(() => void this.send(accountId, body, times), delayMs).unref();
  }
}
