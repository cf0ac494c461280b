import { InitialSchema1764100000000 } from './1764100000000-InitialSchema';
import { PaymentPolling1764150000000 } from './1764150000000-PaymentPolling';
import { Notifications1764200000000 } from './1764200000000-Notifications';
import { RoutingRules1764300000000 } from './1764300000000-RoutingRules';
import { PaymentProviderReference1764450000000 } from './1764450000000-PaymentProviderReference';
import { PaymentOperations1764500000000 } from './1764500000000-PaymentOperations';
import { WebhookInbox1764510000000 } from './1764510000000-WebhookInbox';
import { TenancyAndIdempotencyLease1764520000000 } from './1764520000000-TenancyAndIdempotencyLease';
import { WebhookInboxListing1764530000000 } from './1764530000000-WebhookInboxListing';
import { AuditEvents1764550000000 } from './1764550000000-AuditEvents';
import { PaymentFields1764560000000 } from './1764560000000-PaymentFields';
import { JobLocks1764540000000 } from './1764540000000-JobLocks';
import { SharedCircuitsAndRateLimits1764570000000 } from './1764570000000-SharedCircuitsAndRateLimits';
import { ApiKeyVersion1764580000000 } from './1764580000000-ApiKeyVersion';
import { NotificationEndpointVersion1764590000000 } from './1764590000000-NotificationEndpointVersion';
import { RefundRequestKey1764600000000 } from './1764600000000-RefundRequestKey';
import { IdempotencyKeyDigest1764610000000 } from './1764610000000-IdempotencyKeyDigest';
import { RoutingRuleCountryCase1764620000000 } from './1764620000000-RoutingRuleCountryCase';
import { PaymentAttention1764630000000 } from './1764630000000-PaymentAttention';

/** Listed explicitly so ts-node, jest and the compiled build all load the same set. */
export const MIGRATIONS = [
  InitialSchema1764100000000,
  PaymentPolling1764150000000,
  Notifications1764200000000,
  RoutingRules1764300000000,
  PaymentProviderReference1764450000000,
  PaymentOperations1764500000000,
  WebhookInbox1764510000000,
  TenancyAndIdempotencyLease1764520000000,
  WebhookInboxListing1764530000000,
  AuditEvents1764550000000,
  PaymentFields1764560000000,
  JobLocks1764540000000,
  SharedCircuitsAndRateLimits1764570000000,
  ApiKeyVersion1764580000000,
  NotificationEndpointVersion1764590000000,
  RefundRequestKey1764600000000,
  IdempotencyKeyDigest1764610000000,
  RoutingRuleCountryCase1764620000000,
  PaymentAttention1764630000000,
];
