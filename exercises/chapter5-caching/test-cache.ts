/**
 * Not an exercise: the cache, the fake clock and the sample catalogue that chapter 5's tests use.
 */
import type { Redis } from 'ioredis';
import { Cache, RedisStore, connectCacheRedis, type CacheOptions, type CacheStore } from '../../src/cache/index.js';
import type { Database } from '../../src/db/client.js';
import type { Category, Product } from '../../src/generated/sqlite/client.js';
import type { TestEnv } from '../../test/harness.js';

/** Where the fake clock starts. */
export const CLOCK_START = new Date('2026-11-27T12:00:00Z');

/** One minute in milliseconds: the cache, like BullMQ, speaks milliseconds. */
export const MINUTE = 60_000;

/** What {@link createTestCache} gives a test. */
export interface TestCache {
  /** A Cache on the run's Redis, under this test file's prefix, on the fake clock. */
  readonly cache: Cache;
  /** The cache's own ioredis client: `vi.spyOn(redis.stream, 'write')` counts its round trips. */
  readonly redis: Redis;
  /** The fake clock the cache reads. */
  now(): Date;
  /** Moves the fake clock forward by `ms`: entries expire without the test sleeping. */
  advance(ms: number): void;
  /** The cache keys that exist in Redis now (without the namespace), sorted. */
  keys(): Promise<string[]>;
  /** Every key with its raw stored entry, to see which entries a step rewrote. */
  snapshot(): Promise<Map<string, string>>;
}

/**
 * Connects a cache client to the run's Redis and builds a {@link Cache} in the namespace
 * `<env.prefix>:cache`, so the harness deletes its keys after each test. The client is closed
 * through `env.track`. `makeCache` lets a test build a Cache subclass that watches the calls.
 */
export async function createTestCache(env: TestEnv, makeCache: (options: CacheOptions) => Cache = (options) => new Cache(options)): Promise<TestCache> {
  const redis = await connectCacheRedis(env.redisUrl);
  env.track({ close: async () => void (await redis.quit()) });
  const namespace = `${env.prefix}:cache`;
  let time = CLOCK_START.getTime();
  const now = () => new Date(time);
  const cache = makeCache({ store: new RedisStore(redis, namespace), now });

  const rawKeys = async () => {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:*`, 'COUNT', 500);
      found.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return found.sort();
  };
  return {
    cache,
    redis,
    now,
    advance: (ms) => {
      time += ms;
    },
    keys: async () => (await rawKeys()).map((key) => key.slice(namespace.length + 1)),
    snapshot: async () => {
      const keys = await rawKeys();
      const values = keys.length ? await redis.mget(keys) : [];
      return new Map(keys.map((key, index) => [key.slice(namespace.length + 1), values[index] ?? '']));
    },
  };
}

/** A product loaded with its category, as the tests compare it. */
export type ProductWithCategory = Product & { category: Category };

/** What {@link writeCatalogue} wrote. */
export interface Catalogue {
  /** `Category 1`, `Category 2`… in id order. */
  categories: Category[];
  /** Every product with its category, in id order. */
  products: ProductWithCategory[];
}

/** The `updatedAt` of every row {@link writeCatalogue} writes: in the past, so any later write moves it. */
export const WRITTEN_AT = new Date('2020-01-01T00:00:00Z');

/**
 * Writes `categories` categories (`Category 1`…) with `productsPerCategory` products each
 * (`Product 1`…, numbered across categories; product `n` costs `n * 100 + 99` cents), all
 * last updated at {@link WRITTEN_AT}.
 */
export async function writeCatalogue(db: Database, { categories = 2, productsPerCategory = 3 } = {}): Promise<Catalogue> {
  let n = 0;
  for (let c = 1; c <= categories; c++) {
    const category = await db.category.create({ data: { name: `Category ${c}`, updatedAt: WRITTEN_AT } });
    await db.product.createMany({
      data: Array.from({ length: productsPerCategory }, () => {
        n++;
        return { name: `Product ${n}`, priceCents: n * 100 + 99, categoryId: category.id, updatedAt: WRITTEN_AT };
      }),
    });
  }
  return {
    categories: await db.category.findMany({ orderBy: { id: 'asc' } }),
    products: await db.product.findMany({ include: { category: true }, orderBy: { id: 'asc' } }),
  };
}

/** The product with its category, read fresh from the database (`null` when it does not exist). */
export async function loadProduct(db: Database, id: number): Promise<ProductWithCategory | null> {
  return db.product.findUnique({ where: { id }, include: { category: true } });
}

/**
 * A cache whose store fails every operation, as when Redis is down: reads miss, and `write`,
 * `writeMulti` and `delete` resolve to `false` (the cache fails open). `failures` lists what failed.
 */
export function brokenCache(): { cache: Cache; failures: string[] } {
  const failures: string[] = [];
  const fail = (operation: string) => async (): Promise<never> => {
    failures.push(operation);
    throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
  };
  const store: CacheStore = {
    namespace: 'down',
    get: fail('get'),
    getMany: fail('getMany'),
    set: fail('set'),
    setMany: fail('setMany'),
    delete: fail('delete'),
    deleteMatched: fail('deleteMatched'),
    increment: fail('increment'),
  };
  return { cache: new Cache({ store, now: () => CLOCK_START }), failures };
}
