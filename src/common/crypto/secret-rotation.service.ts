import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SecretBox } from './secret-box';

const BATCH = 100;

/**
 * Finishes a key rotation: when PAYMENTSERVER_ENCRYPTION_KEY lists more than one key, every
 * value sealed with an older key is re-sealed with the first one at start-up, so the old keys
 * can be removed afterwards. Sealed values live in columns whose property name ends in
 * `Sealed` (credentialsSealed, secretSealed, …): new ones are found without registering them.
 * Each row is updated only if it still holds the value that was read, so a concurrent write
 * (or a second instance doing the same) wins and nothing is lost.
 */
@Injectable()
export class SecretRotationService implements OnApplicationBootstrap {
  private readonly logger = new Logger('SecretRotation');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly box: SecretBox,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.box.keyCount < 2) return;
    const { resealed, unreadable } = await this.resealAll();
    this.logger.log({
      msg: 'secrets re-sealed with the current encryption key',
      keyId: this.box.currentKeyId,
      resealed,
      unreadable,
    });
  }

  async resealAll(): Promise<{ resealed: number; unreadable: number }> {
    let resealed = 0;
    let unreadable = 0;
    const currentPrefix = `v1.${this.box.currentKeyId}.`;
    for (const meta of this.dataSource.entityMetadatas) {
      const columns = meta.columns.filter((column) => column.propertyName.endsWith('Sealed'));
      if (columns.length === 0 || meta.primaryColumns.length !== 1) continue;
      const escape = (identifier: string) => this.dataSource.driver.escape(identifier);
      const pk = escape(meta.primaryColumns[0].databaseName);
      for (const column of columns) {
        const name = escape(column.databaseName);
        let after: unknown;
        for (;;) {
          const qb = this.dataSource
            .createQueryBuilder()
            .select(`t.${pk}`, 'id')
            .addSelect(`t.${name}`, 'value')
            .from(meta.target, 't')
            .where(`t.${name} IS NOT NULL`)
            .andWhere(`t.${name} NOT LIKE :current`, { current: `${currentPrefix}%` })
            .orderBy(`t.${pk}`, 'ASC')
            .limit(BATCH);
          if (after !== undefined) qb.andWhere(`t.${pk} > :after`, { after });
          const rows = await qb.getRawMany<{ id: unknown; value: string }>();
          for (const row of rows) {
            let plaintext: string;
            try {
              plaintext = this.box.open(row.value);
            } catch (error) {
              unreadable++;
              // Names the row, never the value.
              this.logger.warn({
                msg: 'a sealed value opens with none of the configured keys',
                table: meta.tableName,
                column: column.databaseName,
                id: row.id,
                error: (error as Error).message,
              });
              continue;
            }
            const result = await this.dataSource
              .createQueryBuilder()
              .update(meta.target)
              .set({ [column.propertyName]: this.box.seal(plaintext) })
              .where(`${pk} = :id`, { id: row.id })
              .andWhere(`${name} = :old`, { old: row.value })
              .execute();
            if (result.affected !== 0) resealed++;
          }
          if (rows.length < BATCH) break;
          after = rows[rows.length - 1].id;
        }
      }
    }
    return { resealed, unreadable };
  }
}
