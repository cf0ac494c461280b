import { ApiKeyCache } from './api-key.cache';
import type { Integration } from './integration.entity';

function cacheWithVersion() {
  const state = { version: 1 as number | null };
  const versions = { current: async () => state.version ?? undefined };
  return { cache: new ApiKeyCache(versions as never), state };
}

const shop = { id: 'int_1', name: 'shop' } as Integration;

describe('ApiKeyCache', () => {
  it('loads a key once while the version stays, and again once it moved', async () => {
    const { cache, state } = cacheWithVersion();
    const load = jest.fn(async () => shop);
    expect(await cache.integrationFor('h', load)).toBe(shop);
    expect(await cache.integrationFor('h', load)).toBe(shop);
    expect(load).toHaveBeenCalledTimes(1);

    state.version = 2; // a key was revoked somewhere
    const revoked = jest.fn(async () => null);
    expect(await cache.integrationFor('h', revoked)).toBeNull();
    expect(revoked).toHaveBeenCalledTimes(1);
  });

  it('never caches an unknown key', async () => {
    const { cache } = cacheWithVersion();
    const load = jest.fn(async () => null);
    await cache.integrationFor('h', load);
    await cache.integrationFor('h', load);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('does not keep an answer loaded under a version that moved meanwhile', async () => {
    const { cache, state } = cacheWithVersion();
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    // Read at version 1, answered after another request has seen version 2.
    const stale = cache.integrationFor('h', async () => {
      await slow;
      return shop;
    });
    await new Promise((r) => setImmediate(r));
    state.version = 2;
    await cache.integrationFor('other', async () => null);
    release();
    await stale;
    const load = jest.fn(async () => null);
    expect(await cache.integrationFor('h', load)).toBeNull();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('does not cache at all without its version row', async () => {
    const { cache, state } = cacheWithVersion();
    state.version = null;
    const load = jest.fn(async () => shop);
    await cache.integrationFor('h', load);
    await cache.integrationFor('h', load);
    expect(load).toHaveBeenCalledTimes(2);
  });
});
