import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { schemaFor } from './support/schema';

const TABLES = [
  'test_provider_payments',
  'outbox_events',
  'webhook_deliveries',
  'idempotency_records',
  'refunds',
  'payment_events',
  'payment_attempts',
  'payments',
  'provider_accounts',
  'api_keys',
  'integrations',
];

export class InitialSchema1764100000000 implements MigrationInterface {
  name = 'InitialSchema1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const c = schemaFor(queryRunner);
    const create = async (
      name: string,
      columns: ReturnType<typeof c.id>[],
      indices: TableIndex[] = [],
    ) => {
      await queryRunner.createTable(new Table({ name, columns, indices }));
    };

    await create(
      'integrations',
      [
        c.id(),
        c.string('name', 128),
        c.ref('defaultProviderAccountId', true),
        c.string('oidcClientId', 255, true),
        c.timestamp('createdAt'),
        c.timestamp('updatedAt'),
      ],
      [
        new TableIndex({ name: 'UQ_integrations_name', columnNames: ['name'], isUnique: true }),
        new TableIndex({ name: 'IDX_integrations_oidc', columnNames: ['oidcClientId'] }),
      ],
    );

    await create(
      'api_keys',
      [
        c.id(),
        c.ref('integrationId'),
        c.string('keyHash', 64),
        c.string('keyPrefix', 16),
        c.timestamp('createdAt'),
        c.timestamp('revokedAt', true),
      ],
      [
        new TableIndex({ name: 'UQ_api_keys_hash', columnNames: ['keyHash'], isUnique: true }),
        new TableIndex({ name: 'IDX_api_keys_integration', columnNames: ['integrationId'] }),
      ],
    );

    await create('provider_accounts', [
      c.id(),
      c.string('provider', 32),
      c.string('name', 128),
      c.text('credentialsSealed'),
      c.json('settings'),
      c.string('baseUrl', 255, true),
      c.boolean('testMode'),
      c.boolean('enabled'),
      c.timestamp('createdAt'),
      c.timestamp('updatedAt'),
    ]);

    await create(
      'payments',
      [
        c.id(),
        c.ref('integrationId'),
        c.string('status', 32),
        c.integer('amountValue'),
        c.string('currency', 3),
        c.integer('amountCaptured'),
        c.integer('amountRefunded'),
        c.string('description', 255),
        c.string('reference', 128),
        c.string('method', 32, true),
        c.string('captureMode', 16),
        c.json('customer', true),
        c.json('metadata', true),
        c.string('returnUrl', 2048),
        c.string('cancelUrl', 2048, true),
        c.string('checkoutUrl', 2048, true),
        c.string('providerName', 32, true),
        c.ref('providerAccountId', true),
        c.string('providerPaymentId', 128, true),
        c.json('routing', true),
        c.string('failureCode', 64, true),
        c.string('failureMessage', 1024, true),
        c.integer('version'),
        c.timestamp('createdAt'),
        c.timestamp('updatedAt'),
      ],
      [
        new TableIndex({
          name: 'IDX_payments_integration_created',
          columnNames: ['integrationId', 'createdAt'],
        }),
        new TableIndex({
          name: 'IDX_payments_provider_payment',
          columnNames: ['providerAccountId', 'providerPaymentId'],
        }),
        new TableIndex({ name: 'IDX_payments_created', columnNames: ['createdAt'] }),
        new TableIndex({
          name: 'IDX_payments_status_updated',
          columnNames: ['status', 'updatedAt'],
        }),
      ],
    );

    await create(
      'payment_attempts',
      [
        c.id(),
        c.ref('paymentId'),
        c.ref('providerAccountId'),
        c.string('provider', 32),
        c.string('outcome', 16),
        c.string('errorCode', 64, true),
        c.string('errorMessage', 1024, true),
        c.boolean('retryable', true),
        c.string('providerPaymentId', 128, true),
        c.integer('durationMs', true),
        c.timestamp('createdAt'),
      ],
      [new TableIndex({ name: 'IDX_payment_attempts_payment', columnNames: ['paymentId'] })],
    );

    await create(
      'payment_events',
      [
        c.id(),
        c.ref('paymentId'),
        c.ref('refundId', true),
        c.string('type', 40),
        c.string('fromStatus', 32, true),
        c.string('toStatus', 32),
        c.string('source', 16),
        c.boolean('ignored'),
        c.string('detail', 512, true),
        c.integer('sequence'),
        c.timestamp('createdAt'),
      ],
      [
        new TableIndex({
          name: 'IDX_payment_events_payment_seq',
          columnNames: ['paymentId', 'sequence'],
        }),
      ],
    );

    await create(
      'refunds',
      [
        c.id(),
        c.ref('paymentId'),
        c.integer('amountValue'),
        c.string('currency', 3),
        c.string('status', 16),
        c.string('reason', 255, true),
        c.string('providerRefundId', 128, true),
        c.string('failureCode', 64, true),
        c.string('failureMessage', 1024, true),
        c.timestamp('createdAt'),
        c.timestamp('updatedAt'),
      ],
      [new TableIndex({ name: 'IDX_refunds_payment', columnNames: ['paymentId'] })],
    );

    await create(
      'idempotency_records',
      [
        c.id(),
        c.ref('integrationId'),
        c.string('scope', 96),
        c.string('idempotencyKey', 255),
        c.string('requestHash', 64),
        c.string('state', 16),
        c.integer('responseStatus', true),
        c.text('responseBody', true),
        c.timestamp('createdAt'),
        c.timestamp('expiresAt'),
      ],
      [
        new TableIndex({
          name: 'UQ_idempotency_key',
          columnNames: ['integrationId', 'scope', 'idempotencyKey'],
          isUnique: true,
        }),
        new TableIndex({ name: 'IDX_idempotency_expires', columnNames: ['expiresAt'] }),
      ],
    );

    await create(
      'webhook_deliveries',
      [
        c.id(),
        c.string('provider', 32),
        c.ref('providerAccountId'),
        c.string('bodyHash', 64),
        c.json('headers'),
        c.text('body'),
        c.string('status', 16),
        c.integer('processingAttempts'),
        c.string('error', 1024, true),
        c.timestamp('receivedAt'),
        c.timestamp('processedAt', true),
      ],
      [
        new TableIndex({
          name: 'UQ_webhook_deliveries_body',
          columnNames: ['providerAccountId', 'bodyHash'],
          isUnique: true,
        }),
        new TableIndex({
          name: 'IDX_webhook_deliveries_status',
          columnNames: ['status', 'receivedAt'],
        }),
      ],
    );

    await create(
      'outbox_events',
      [
        c.id(),
        c.ref('integrationId'),
        c.string('type', 40),
        c.ref('paymentId'),
        c.ref('refundId', true),
        c.integer('sequence'),
        c.text('payload'),
        c.timestamp('createdAt'),
        c.timestamp('dispatchedAt', true),
      ],
      [
        new TableIndex({ name: 'IDX_outbox_payment_seq', columnNames: ['paymentId', 'sequence'] }),
        new TableIndex({
          name: 'IDX_outbox_dispatched',
          columnNames: ['dispatchedAt', 'createdAt'],
        }),
      ],
    );

    await create('test_provider_payments', [
      c.id(),
      c.ref('accountId'),
      c.integer('amountValue'),
      c.string('currency', 3),
      c.string('description', 255),
      c.string('status', 16),
      c.string('captureMode', 16),
      c.integer('amountCaptured'),
      c.integer('amountRefunded'),
      c.string('returnUrl', 2048),
      c.string('cancelUrl', 2048, true),
      c.timestamp('createdAt'),
      c.timestamp('updatedAt'),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await queryRunner.dropTable(table, true);
    }
  }
}
