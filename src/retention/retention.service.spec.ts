import { RetentionService } from './retention.service';
import { WebhookInboxPurger } from '../webhooks/webhook-inbox.purger';
import { NotificationsPurger } from '../notifications/notifications.purger';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { AppConfig } from '../config/app.config';

function service(days: number) {
  const webhooks = { purge: jest.fn().mockResolvedValue(3) };
  const notifications = {
    purge: jest.fn().mockResolvedValue({ attempts: 4, deliveries: 2, outboxEvents: 1 }),
  };
  const idempotency = { purgeExpired: jest.fn().mockResolvedValue(5) };
  const retention = new RetentionService(
    webhooks as unknown as WebhookInboxPurger,
    notifications as unknown as NotificationsPurger,
    idempotency as unknown as IdempotencyService,
    { retention: { days } } as AppConfig,
  );
  return { retention, webhooks, notifications, idempotency };
}

describe('RetentionService', () => {
  const now = new Date('2026-12-03T00:00:00Z');

  it('has each module purge its own tables back to the retention period', async () => {
    const { retention, webhooks, notifications, idempotency } = service(30);
    expect(await retention.purge(now)).toEqual({
      webhookDeliveries: 3,
      notificationAttempts: 4,
      notificationDeliveries: 2,
      outboxEvents: 1,
      idempotencyKeys: 5,
    });
    const cutoff = new Date('2026-11-03T00:00:00Z');
    expect(webhooks.purge).toHaveBeenCalledWith(cutoff);
    expect(notifications.purge).toHaveBeenCalledWith(cutoff);
    expect(idempotency.purgeExpired).toHaveBeenCalledWith(now);
  });

  it('with 0 days keeps every housekeeping record but still drops expired idempotency keys', async () => {
    const { retention, webhooks, notifications } = service(0);
    expect(await retention.purge(now)).toEqual({
      webhookDeliveries: 0,
      notificationAttempts: 0,
      notificationDeliveries: 0,
      outboxEvents: 0,
      idempotencyKeys: 5,
    });
    expect(webhooks.purge).not.toHaveBeenCalled();
    expect(notifications.purge).not.toHaveBeenCalled();
  });
});
