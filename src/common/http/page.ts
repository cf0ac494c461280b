/** One page of a list, the shape every list route answers: `{ data, nextCursor }`. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** The same page with each row turned into its API view. */
export function mapPage<T, V>(
  page: Page<T>,
  view: (row: T, index: number, rows: T[]) => V,
): Page<V> {
  return { data: page.data.map(view), nextCursor: page.nextCursor };
}
