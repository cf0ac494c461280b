/**
 * A per-instance map that is only as good as the version row it was filled under (see
 * `CacheVersions`): a reading newer than any seen empties it, and only a caller holding the
 * newest reading may read or fill it. A caller with an older reading (its request read the
 * version before another request saw it move) must ask the database and keep nothing, as what
 * it would keep may predate the write that moved the version. Full at `limit`, it starts over.
 */
export class VersionedMap<K, V> {
  private version = -1;
  private readonly entries = new Map<K, V>();

  constructor(private readonly limit: number) {}

  /** Moves the map to `version` if it is newer; whether `version` is the newest seen. */
  sync(version: number): boolean {
    if (version > this.version) {
      this.entries.clear();
      this.version = version;
    }
    return version === this.version;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Keeps `value`, read under `version`, unless the map has moved past that version. */
  set(version: number, key: K, value: V): void {
    if (version !== this.version) return;
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(key, value);
  }

  /** Drops the entry of `key` if it is still `value` (a failed load, say). */
  forget(key: K, value: V): void {
    if (this.entries.get(key) === value) this.entries.delete(key);
  }
}
