import { RetentionService } from './retention.service';
import { WebhookInboxPurger } from '../webhooks/webhook-inbox.purger';
import { NotificationsPurger } from '../notifications/notifications.purger';
import { IdempotencyService } from '../idempotency/idempotency.service';
import { AuditPurger } from '../audit/audit.purger';
import { AppConfig } from '../config/app.config';

function service(days: number, auditDays = 400) {
  const webhooks = { purge: jest.fn().mockResolvedValue(3) };
  const notifications = {
    purge: jest.fn().mockResolvedValue({ attempts: 4, deliveries: 2, outboxEvents: 1 }),
  };
  const idempotency = { purgeExpired: jest.fn().mockResolvedValue(5) };
  const audit = { purge: jest.fn().mockResolvedValue(7) };
  const retention = new RetentionService(
    webhooks as unknown as WebhookInboxPurger,
    notifications as unknown as NotificationsPurger,
    idempotency as unknown as IdempotencyService,
    audit as unknown as AuditPurger,
    { retention: { days, auditDays } } as AppConfig,
  );
  return { retention, webhooks, notifications, idempotency, audit };
}

describe('RetentionService', () => {
  const now = new Date('2026-12-03T00:00:00Z');

  it('has each module purge its own tables back to the retention period', async () => {
    const { retention, webhooks, notifications, idempotency, audit } = service(30);
    expect(await retention.purge(now)).toEqual({
      webhookDeliveries: 3,
      notificationAttempts: 4,
      notificationDeliveries: 2,
      outboxEvents: 1,
      idempotencyKeys: 5,
      auditEvents: 7,
    });
    const cutoff = new Date('2026-11-03T00:00:00Z');
    expect(webhooks.purge).toHaveBeenCalledWith(cutoff);
    expect(notifications.purge).toHaveBeenCalledWith(cutoff);
    expect(idempotency.purgeExpired).toHaveBeenCalledWith(now);
    expect(audit.purge).toHaveBeenCalledWith(new Date('2025-10-29T00:00:00Z'));
  });

  it('with 0 days keeps every housekeeping record but still drops expired idempotency keys', async () => {
    const { retention, webhooks, notifications, audit } = service(0, 0);
    expect(await retention.purge(now)).toEqual({
      webhookDeliveries: 0,
      notificationAttempts: 0,
      notificationDeliveries: 0,
      outboxEvents: 0,
      idempotencyKeys: 5,
      auditEvents: 0,
    });
    expect(audit.purge).not.toHaveBeenCalled();
    expect(webhooks.purge).not.toHaveBeenCalled();
    expect(notifications.purge).not.toHaveBeenCalled();
  });
});
