import type { components } from './schema.gen';

/** Short names for the server's schemas (generated from its OpenAPI document). */
type Schemas = components['schemas'];
export type Payment = Schemas['PaymentDto'];
export type PaymentEvent = Schemas['PaymentEventDto'];
export type Refund = Schemas['RefundDto'];
export type PaymentStatus = Payment['status'];
export type PaymentTotals = Schemas['PaymentTotalsDto'];
export type ProviderAccount = Schemas['ProviderAccountDto'];
export type AccountHealth = Schemas['AccountHealthDto'];
export type Integration = Schemas['IntegrationDto'];
export type ApiKeySummary = Schemas['ApiKeySummaryDto'];
export type NotificationEndpoint = Schemas['NotificationEndpointDto'];
export type NotificationDelivery = Schemas['NotificationDeliveryDto'];
export type DeliveryAttempt = Schemas['DeliveryAttemptDto'];
export type DeliveryCounts = Schemas['DeliveryCountsDto'];
export type RoutingRule = Schemas['RoutingRuleDto'];
export type RuleConditions = Schemas['RuleConditionsDto'];
export type StatisticsRow = Schemas['StatisticsRowDto'];
export type ProblemDetails = Schemas['ProblemDetailsDto'];
export type AdminPayment = Schemas['AdminPaymentDto'];
export type Attention = Schemas['AttentionDto'];
export type ProviderWebhook = Schemas['ProviderWebhookDto'];
export type ProviderWebhookDetail = Schemas['ProviderWebhookDetailDto'];
export type ProviderWebhookStatus = ProviderWebhook['status'];
