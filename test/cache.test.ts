import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Cache, CacheValueError, MemoryStore, RedisStore, connectCacheRedis, normalizeKey, recordCacheKey, type CacheStore } from '../src/cache/index.js';
import { useTestEnv } from './harness.js';

const env = useTestEnv();

const MINUTE = 60_000;
const start = Date.parse('2026-11-27T12:00:00Z');

/** A store plus a clock that expires its entries without sleeping. */
interface StoreUnderTest {
  store: CacheStore;
  /** Moves time forward for the store and the cache. */
  advance(ms: number): void;
  /** The clock to give the Cache. */
  now: () => Date;
  /** Keys the store holds for this test (what Redis would list). */
  keyCount(): Promise<number>;
}

function memory(): StoreUnderTest {
  let time = start;
  const now = () => new Date(time);
  const store = new MemoryStore({ now });
  return { store, now, advance: (ms) => (time += ms), keyCount: async () => countMemory(store) };
}

function countMemory(store: MemoryStore): number {
  // The LRU holds nothing else; its size is the number of live entries.
  return (store as unknown as { entries: { size: number } }).entries.size;
}

/** ioredis-mock expires keys by comparing with Date.now(), so a faked Date expires them too. */
function redisMock(): StoreUnderTest {
  vi.useFakeTimers({ toFake: ['Date'], now: start });
  const redis = new RedisMock() as unknown as Redis;
  const namespace = `${env.prefix}:mock${Math.random().toString(36).slice(2, 8)}`;
  return {
    store: new RedisStore(redis, namespace),
    now: () => new Date(),
    advance: (ms) => vi.setSystemTime(Date.now() + ms),
    keyCount: async () => (await redis.keys(`${namespace}:*`)).length,
  };
}

/** The real thing: the Cache's clock decides freshness; Redis' own expiry is real time. */
async function realRedis(): Promise<StoreUnderTest & { redis: Redis }> {
  const redis = await connectCacheRedis(env.redisUrl);
  env.track({ close: async () => redis.disconnect() });
  let time = start;
  const namespace = `${env.prefix}:cache`;
  return {
    redis,
    store: new RedisStore(redis, namespace),
    now: () => new Date(time),
    advance: (ms) => (time += ms),
    keyCount: async () => (await redis.keys(`${namespace}:*`)).length,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

const stores: [string, () => StoreUnderTest | Promise<StoreUnderTest>][] = [
  ['MemoryStore', memory],
  ['RedisStore on ioredis-mock', redisMock],
  ['RedisStore on Redis', realRedis],
];

describe.each(stores)('Cache on %s', (_name, makeStore) => {
  async function setup(options: { expiresIn?: number } = {}) {
    const subject = await makeStore();
    const cache = new Cache({ store: subject.store, now: subject.now, ...options });
    return { ...subject, cache };
  }

  it('runs the loader on a miss, then answers from the cache until the entry expires', async () => {
    const { cache, advance } = await setup();
    const loader = vi.fn(async () => ({ name: 'Kettle', priceCents: 2500 }));
    expect(await cache.fetch('products/1', { expiresIn: 5 * MINUTE }, loader)).toEqual({ name: 'Kettle', priceCents: 2500 });
    expect(await cache.fetch('products/1', { expiresIn: 5 * MINUTE }, loader)).toEqual({ name: 'Kettle', priceCents: 2500 });
    expect(loader).toHaveBeenCalledTimes(1);

    advance(5 * MINUTE - 1);
    await cache.fetch('products/1', { expiresIn: 5 * MINUTE }, loader);
    expect(loader).toHaveBeenCalledTimes(1);
    advance(1);
    await cache.fetch('products/1', { expiresIn: 5 * MINUTE }, loader);
    expect(loader).toHaveBeenCalledTimes(2);
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 2, writes: 2 });
  });

  it('expires an entry written without a TTL after the cache-wide default', async () => {
    const { cache, advance } = await setup({ expiresIn: 10 * MINUTE });
    await cache.write('settings', { theme: 'dark' });
    advance(10 * MINUTE - 1);
    expect(await cache.read('settings')).toEqual({ theme: 'dark' });
    advance(1);
    expect(await cache.read('settings')).toBeUndefined();
  });

  it('runs the loader again with force, and does not cache null with skipNil', async () => {
    const { cache } = await setup();
    let calls = 0;
    const loader = async () => ++calls;
    await cache.fetch('n', {}, loader);
    expect(await cache.fetch('n', { force: true }, loader)).toBe(2);
    expect(await cache.read('n')).toBe(2);

    const missing = vi.fn(async () => null);
    expect(await cache.fetch('products/404', { skipNil: true }, missing)).toBeNull();
    expect(await cache.fetch('products/404', { skipNil: true }, missing)).toBeNull();
    expect(missing).toHaveBeenCalledTimes(2);
    // Without skipNil, null is a value like any other (Rails caches nil too).
    await cache.fetch('products/405', {}, missing);
    await cache.fetch('products/405', {}, missing);
    expect(missing).toHaveBeenCalledTimes(3);
  });

  it('treats another version as a miss and overwrites the same key (recyclable keys)', async () => {
    const { cache, advance, keyCount } = await setup();
    const product = { id: 5, name: 'Kettle', updatedAt: new Date(start) };
    const first = recordCacheKey('products', product);
    expect(first).toEqual({ key: 'products/5', version: '2026-11-27T12:00:00.000Z' });
    await cache.fetch(first.key, { version: first.version }, () => 'v1');

    advance(1000);
    const second = recordCacheKey('products', { ...product, updatedAt: new Date(start + 1000) });
    expect(await cache.read(second.key, { version: second.version })).toBeUndefined();
    expect(await cache.fetch(second.key, { version: second.version }, () => 'v2')).toBe('v2');
    expect(await cache.read(first.key, { version: first.version })).toBeUndefined();
    expect(await keyCount()).toBe(1);
  });

  it('deletes one key, or every key matching a glob', async () => {
    const { cache } = await setup();
    await cache.writeMulti(['products/1', 'products/2', 'products/3', 'categories/1'].map((key) => ({ key, value: key })));
    expect(await cache.delete('products/1')).toBe(true);
    expect(await cache.delete('products/1')).toBe(false);
    expect(await cache.deleteMatched('products/*')).toBe(2);
    expect(await cache.read('categories/1')).toBe('categories/1');
  });

  it('fetches many keys: one loader call with the misses, values back in order', async () => {
    const { cache } = await setup();
    await cache.write('products/2', 'cached 2');
    const loader = vi.fn(async (missing: string[]) => missing.map((key) => `loaded ${key}`));
    expect(await cache.fetchMulti(['products/1', 'products/2', 'products/3'], {}, loader)).toEqual([
      'loaded products/1',
      'cached 2',
      'loaded products/3',
    ]);
    expect(loader).toHaveBeenCalledExactlyOnceWith(['products/1', 'products/3']);
    expect(await cache.read('products/3')).toBe('loaded products/3');
  });

  it('counts, and a counter keeps the expiry it was created with', async ({ skip }) => {
    // ioredis-mock ignores PEXPIRE's NX flag: one of the things only a real Redis shows.
    if (_name.includes('ioredis-mock')) skip();
    const { cache, advance, redis } = (await setup()) as Awaited<ReturnType<typeof setup>> & { redis?: Redis };
    expect(await cache.increment('signups', 1, { expiresIn: MINUTE })).toBe(1);
    expect(await cache.increment('signups', 2, { expiresIn: 60 * MINUTE })).toBe(3);
    if (redis) {
      // Real Redis expires by its own clock: read the expiry instead of waiting for it.
      expect(await redis.pttl(`${env.prefix}:cache:signups`)).toBeLessThanOrEqual(MINUTE);
      return;
    }
    advance(MINUTE + 1);
    expect(await cache.increment('signups', 1)).toBe(1);
  });

  it('hands each reader its own copy of the value', async () => {
    const { cache } = await setup();
    await cache.write('cart', { items: ['tea'] });
    const copy = await cache.read<{ items: string[] }>('cart');
    copy!.items.push('biscuits');
    expect(await cache.read('cart')).toEqual({ items: ['tea'] });
  });
});

describe('Cache, on real Redis', () => {
  it('runs the loader once for 50 concurrent fetches of one missing key', async () => {
    const { store } = await realRedis();
    const cache = new Cache({ store });
    let runs = 0;
    const loader = async () => {
      runs++;
      await new Promise((resolve) => setImmediate(resolve));
      return { name: 'Kettle' };
    };
    const values = await Promise.all(Array.from({ length: 50 }, () => cache.fetch('products/1', {}, loader)));
    expect(runs).toBe(1);
    expect(values.every((value) => value.name === 'Kettle')).toBe(true);
    expect(cache.stats()).toMatchObject({ misses: 1, coalesced: 49, writes: 1 });
  });

  it('serves the just-expired value while one caller recomputes (raceConditionTtl), as another process would see it', async () => {
    const { store, now, advance } = await realRedis();
    // Two caches on one Redis: two app processes.
    const [web1, web2] = [new Cache({ store, now }), new Cache({ store, now })];
    const options = { expiresIn: MINUTE, raceConditionTtl: 10_000 };
    await web1.fetch('dashboard', options, () => 'old');
    advance(MINUTE + 5_000); // expired 5 s ago: inside the 10 s window

    let finish!: (value: string) => void;
    const slow = web1.fetch('dashboard', options, () => new Promise<string>((resolve) => (finish = resolve)));
    await vi.waitFor(() => expect(finish).toBeDefined());
    const otherLoader = vi.fn(() => 'computed twice');
    expect(await web2.fetch('dashboard', options, otherLoader)).toBe('old');
    expect(await web1.fetch('dashboard', options, otherLoader)).toBe('old'); // same process, while the refresh runs
    expect(otherLoader).not.toHaveBeenCalled();

    finish('new');
    expect(await slow).toBe('new');
    expect(await web2.fetch('dashboard', options, otherLoader)).toBe('new');
  });

  it('regenerates an entry that expired longer ago than raceConditionTtl', async () => {
    const { store, now, advance } = await realRedis();
    const cache = new Cache({ store, now });
    const options = { expiresIn: MINUTE, raceConditionTtl: 10_000 };
    await cache.fetch('dashboard', options, () => 'old');
    advance(MINUTE + 10_001);
    expect(await cache.fetch('dashboard', options, () => 'new')).toBe('new');
  });

  it('recomputes early with a probability that grows as expiry nears (XFetch), decided by the random source', async () => {
    const { store, now, advance } = await realRedis();
    let random = 0.5;
    const cache = new Cache({ store, now, random: () => random });
    const options = { expiresIn: MINUTE, earlyExpiration: { beta: 1 } };
    await cache.fetch('report', options, async () => {
      advance(2000); // the loader takes 2 s
      return 'v1';
    });
    // 2 s * ln(0.5) = -1.39 s: recompute once less than 1.39 s are left.
    advance(MINUTE - 1500);
    expect(await cache.fetch('report', options, () => 'v2')).toBe('v1');
    advance(200);
    const slowV2 = async () => {
      advance(2000);
      return 'v2';
    };
    expect(await cache.fetch('report', options, slowV2)).toBe('v2');
    // An unlucky draw recomputes far earlier: ln(0.0001) * 2 s = -18 s.
    random = 0.0001;
    expect(await cache.fetch('report', options, () => 'v3')).toBe('v2');
    advance(MINUTE - 17_000);
    expect(await cache.fetch('report', options, () => 'v3')).toBe('v3');
  });

  it('writes many entries in one round trip, and fetchMulti reads with one MGET', async () => {
    const { store, redis } = await realRedis();
    const cache = new Cache({ store });
    const write = vi.spyOn(redis.stream, 'write');
    await cache.writeMulti(Array.from({ length: 100 }, (_, i) => ({ key: `products/${i}`, value: { id: i } })));
    expect(write).toHaveBeenCalledTimes(1);

    write.mockClear();
    const values = await cache.fetchMulti(['products/1', 'products/200'], {}, (missing) => missing.map(() => null));
    expect(values).toEqual([{ id: 1 }, null]);
    expect(write).toHaveBeenCalledTimes(2); // MGET, then the pipeline for the one miss
  });

  it('deletes more keys than one SCAN step returns, and only those that match', async () => {
    const { store } = await realRedis();
    const cache = new Cache({ store });
    await cache.writeMulti(Array.from({ length: 2500 }, (_, i) => ({ key: `views/${i}`, value: i })));
    await cache.write('products/1', 'kept');
    expect(await cache.deleteMatched('views/*')).toBe(2500);
    expect(await cache.read('products/1')).toBe('kept');
  });

  it('shortens an over-long key to a stable hash, so it is stored and found again', async () => {
    const { store, redis } = await realRedis();
    const cache = new Cache({ store, maxKeyBytes: 200 });
    const long = `search/${'q'.repeat(5000)}`;
    await cache.write(long, ['result']);
    expect(await cache.read(long)).toEqual(['result']);
    expect(await cache.read(`${long}x`)).toBeUndefined();
    const [key] = await redis.keys(`${env.prefix}:cache:*`);
    expect(Buffer.byteLength(key!.slice(`${env.prefix}:cache:`.length))).toBeLessThanOrEqual(200);
    expect(normalizeKey(long, 200)).toMatch(/^search\/q+:hash:[0-9a-f]{64}$/);
  });
});

describe('Cache, bad input', () => {
  const cache = () => new Cache({ store: new MemoryStore() });

  it('caches nothing when the loader throws, and gives its error to every caller waiting on it', async () => {
    const subject = cache();
    const boom = new Error('database is down');
    const results = await Promise.allSettled([1, 2, 3].map(() => subject.fetch('k', {}, () => Promise.reject(boom))));
    expect(results.map((result) => (result.status === 'rejected' ? result.reason : result.value))).toEqual([boom, boom, boom]);
    expect(await subject.fetch('k', {}, () => 'recovered')).toBe('recovered');
  });

  it.each([
    ['a Date', { updatedAt: new Date() }, /value\.updatedAt is a Date/],
    ['a BigInt', { total: 10n }, /value\.total is a bigint/],
    ['undefined', undefined, /value is undefined/],
    ['a class instance', new (class Money {})(), /value is a Money/],
    ['NaN', { ratio: Number.NaN }, /value\.ratio is NaN/],
  ])('refuses to cache %s, naming the key and the path', async (_what, value, message) => {
    const subject = cache();
    await expect(subject.write('products/1', value)).rejects.toThrow(CacheValueError);
    await expect(subject.fetch('products/1', {}, () => value)).rejects.toThrow(message);
    await expect(subject.write('products/1', value)).rejects.toThrow(/Cannot cache "products\/1"/);
    expect(await subject.read('products/1')).toBeUndefined();
  });

  it.each([0, -1, 1.5, Number.POSITIVE_INFINITY])('refuses an expiresIn of %s: every entry expires', async (expiresIn) => {
    await expect(cache().write('k', 1, { expiresIn })).rejects.toThrow(RangeError);
    expect(() => new Cache({ store: new MemoryStore(), expiresIn })).toThrow(RangeError);
  });

  it('refuses an empty key', async () => {
    await expect(cache().read('')).rejects.toThrow(TypeError);
  });
});

describe('MemoryStore', () => {
  it('evicts the least recently used entries once it holds maxBytes', async () => {
    const store = new MemoryStore({ maxBytes: 1000 });
    const cache = new Cache({ store });
    const value = 'x'.repeat(250); // about 300 bytes per entry with its key and JSON: three fit
    for (const key of ['a', 'b', 'c']) await cache.write(key, value);
    await cache.read('a'); // a is now the most recently used
    await cache.write('d', value);
    expect(await cache.read('b')).toBeUndefined();
    expect(await cache.read('a')).toBe(value);
    expect(await cache.read('d')).toBe(value);
  });
});
