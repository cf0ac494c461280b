/**
 * A PSP status looked up in its map. The maps are typed `Record<PspStatus, …>` over a union
 * of the statuses the PSP documents, so leaving one out fails to compile; what the PSP sends
 * is still any string, and one the map does not know (a status added later) is undefined,
 * never a property of Object.prototype.
 */
export function mapPspStatus<K extends string, V>(
  map: Readonly<Record<K, V>>,
  status: string | null | undefined,
): V | undefined {
  return typeof status === 'string' && Object.prototype.hasOwnProperty.call(map, status)
    ? map[status as K]
    : undefined;
}
