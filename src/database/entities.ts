import { Integration } from '../integrations/integration.entity';
import { ApiKey } from '../integrations/api-key.entity';
import { ProviderAccount } from '../providers/provider-account.entity';
import { Payment } from '../payments/entities/payment.entity';
import { PaymentAttempt } from '../payments/entities/payment-attempt.entity';
import { PaymentEvent } from '../payments/entities/payment-event.entity';
import { Refund } from '../payments/entities/refund.entity';
import { PaymentOperation } from '../payments/entities/payment-operation.entity';
import { IdempotencyRecord } from '../idempotency/idempotency-record.entity';
import { WebhookDelivery } from '../webhooks/webhook-delivery.entity';
import { OutboxEvent } from '../notifications/outbox-event.entity';
import { RoutingRule } from '../routing/routing-rule.entity';
import { RoutingVersion } from '../routing/routing-version.entity';
import { NotificationEndpoint } from '../notifications/notification-endpoint.entity';
import { NotificationDelivery } from '../notifications/notification-delivery.entity';
import { DeliveryAttempt } from '../notifications/delivery-attempt.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { TestProviderPayment } from '../providers/test/test-provider-payment.entity';
import { JobLock } from '../common/jobs/job-lock.entity';
import { ProviderCircuit } from '../routing/provider-circuit.entity';
import { RateLimitWindow } from '../common/http/rate-limit-window.entity';

export const ENTITIES = [
  Integration,
  ApiKey,
  ProviderAccount,
  Payment,
  PaymentAttempt,
  PaymentEvent,
  Refund,
  PaymentOperation,
  IdempotencyRecord,
  WebhookDelivery,
  OutboxEvent,
  NotificationEndpoint,
  NotificationDelivery,
  DeliveryAttempt,
  TestProviderPayment,
  RoutingRule,
  RoutingVersion,
  AuditEvent,
  JobLock,
  ProviderCircuit,
  RateLimitWindow,
];
