import { Brackets, ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { CursorCodec, timeCursor } from './cursor';
import { Page } from './page';

/** Orders, filters and cuts a list at a keyset cursor. */
export interface KeysetOptions<T, K> {
  /** nextCursor of the previous page, if any (a bad one is a 400 on `cursor`). */
  cursor?: string;
  limit: number;
  /** The property the list is sorted by; `id` breaks ties. */
  key: keyof T & string;
  /** DESC (newest first) unless said otherwise. */
  order?: 'ASC' | 'DESC';
  /** How the key is written into the cursor; timestamps unless said otherwise. */
  codec?: CursorCodec<K>;
}

/**
 * One page of a keyset-paged list: rows after the cursor in (key, id) order, at most `limit`,
 * and a nextCursor when there are more. The query builder carries the list's own filters;
 * its main alias names the columns.
 */
export async function keysetPage<T extends ObjectLiteral & { id: string }, K = Date>(
  qb: SelectQueryBuilder<T>,
  { cursor, limit, key, order = 'DESC', codec }: KeysetOptions<T, K>,
): Promise<Page<T>> {
  const cursors = codec ?? (timeCursor as unknown as CursorCodec<K>);
  const column = `${qb.alias}.${key}`;
  const id = `${qb.alias}.id`;
  if (cursor) {
    const after = cursors.decode(cursor);
    const beyond = order === 'DESC' ? '<' : '>';
    qb.andWhere(
      new Brackets((w) =>
        w
          .where(`${column} ${beyond} :keysetKey`, { keysetKey: after.key })
          .orWhere(
            new Brackets((tie) =>
              tie
                .where(`${column} = :keysetKey`, { keysetKey: after.key })
                .andWhere(`${id} ${beyond} :keysetId`, { keysetId: after.id }),
            ),
          ),
      ),
    );
  }
  const rows = await qb
    .orderBy(column, order)
    .addOrderBy(id, order)
    .take(limit + 1)
    .getMany();
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return {
    data,
    nextCursor: rows.length > limit && last ? cursors.encode(last[key] as K, last.id) : null,
  };
}
