import { VersionedMap } from './versioned-map';

describe('VersionedMap', () => {
  it('empties itself when a newer version is read', () => {
    const map = new VersionedMap<string, number>(10);
    expect(map.sync(1)).toBe(true);
    map.set(1, 'a', 1);
    expect(map.sync(1)).toBe(true);
    expect(map.get('a')).toBe(1);
    expect(map.sync(2)).toBe(true);
    expect(map.get('a')).toBeUndefined();
  });

  it('lets a caller with an older reading neither read nor fill it', () => {
    const map = new VersionedMap<string, number>(10);
    map.sync(3);
    map.set(3, 'a', 1);
    expect(map.sync(2)).toBe(false);
    // An answer loaded under version 2 may predate the write that made version 3: not kept.
    map.set(2, 'b', 2);
    expect(map.get('b')).toBeUndefined();
    expect(map.get('a')).toBe(1);
  });

  it('drops an answer whose version was overtaken while it loaded', () => {
    const map = new VersionedMap<string, number>(10);
    map.sync(1);
    map.sync(2); // another request saw the version move meanwhile
    map.set(1, 'a', 1);
    expect(map.get('a')).toBeUndefined();
  });

  it('starts over when full', () => {
    const map = new VersionedMap<number, number>(2);
    map.sync(0);
    map.set(0, 1, 1);
    map.set(0, 2, 2);
    map.set(0, 3, 3);
    expect([map.get(1), map.get(2), map.get(3)]).toEqual([undefined, undefined, 3]);
  });

  it('forgets an entry only while it is still the value given', () => {
    const map = new VersionedMap<string, string>(10);
    map.sync(0);
    map.set(0, 'a', 'first');
    map.set(0, 'a', 'second');
    map.forget('a', 'first');
    expect(map.get('a')).toBe('second');
    map.forget('a', 'second');
    expect(map.get('a')).toBeUndefined();
  });
});
