/**
 * Chapter 5: the product cache again, with bentocache 1.6 next to the workbook's toolkit.
 *
 *   npx tsx tutorials/05-caching/example-bentocache.ts
 *
 * 1. `Rails.cache.fetch` as toolkit `cache.fetch` and bentocache `getOrSet`: a miss, then a hit.
 * 2. An expired entry: Rails' `race_condition_ttl` in the toolkit (one caller recomputes, the
 *    others get the stale copy) against bentocache's `grace` (everybody gets the stale copy at once
 *    and it is refreshed in the background); then the database fails: the toolkit's fetch rejects,
 *    bentocache serves the graced copy (stale-if-error, which Rails does not have).
 * 3. bentocache's tiers: memory (L1) in front of Redis (L2) on an ioredis client we made, and the
 *    Redis bus: three app servers in one process, A and B on the bus, C not. A deletes a product
 *    after an update; B's memory copy is dropped, C keeps serving the old one.
 * 4. A table: Rails.cache option -> toolkit -> bentocache.
 *
 * Private Redis, throwaway SQLite with the sample data; exits by itself.
 */
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import { toProductJson, type ProductJson } from '../../src/app/products.js';
import { Cache, connectCacheRedis, RedisStore } from '../../src/cache/index.js';
import { loadConfig } from '../../src/config.js';
import { createScratchDatabase } from '../../src/db/scratch.js';
import { seedSampleData } from '../../src/db/seed.js';
import { redisOptionsFromUrl } from '../../src/redis/connection.js';
import { acquireRedis } from '../../src/redis/redis-url.js';

const FIVE_MINUTES = 5 * 60_000;
const TEN_SECONDS = 10_000;
const prefix = `example-05-bento-${process.pid}`;

/** Rails.cache option, toolkit, bentocache: what to reach for in each. */
const MAPPING: readonly (readonly [string, string, string])[] = [
  ['Rails.cache', 'toolkit', 'bentocache'],
  ['fetch(key) { ... }', 'cache.fetch(key, options, loader)', 'getOrSet({ key, factory })'],
  ['expires_in: 5.minutes', 'expiresIn: 300_000 (default 1 h)', "ttl: '5m' (default 30 min)"],
  ['race_condition_ttl: 10.seconds', 'raceConditionTtl: 10_000', "grace: '6h' + timeout: 0 (all get stale, refresh behind)"],
  ['(none: the block raises)', '(none: the loader error rejects)', 'grace: graced value on factory error, graceBackoff 10 s'],
  ['version: / fetch(record)', 'version: (recyclable key)', '(none: put updatedAt in the key, or delete on update)'],
  ['force: true', 'force: true', 'forceFresh: true'],
  ['skip_nil: true', 'skipNil: true', 'return ctx.skip() from the factory (null is cached)'],
  ['fetch_multi', 'fetchMulti', '(none)'],
  ['delete(key)', 'delete(key)', 'delete({ key }) (+ the bus drops other L1 copies)'],
  ['delete_matched("products/*")', "deleteMatched('products/*')", "namespace('products').clear(), or tags + deleteByTag"],
  ['namespace:', 'RedisStore namespace', "prefix: (default 'bentocache'), namespace()"],
  ['error_handler:', 'onError', 'logger (L2 errors are only logged), suppressL2Errors, l2CircuitBreakerDuration'],
  ['MemoryStore / RedisCacheStore', 'MemoryStore / RedisStore', 'memoryDriver (L1) + redisDriver (L2) + redisBusDriver'],
];

const { db, dispose } = await createScratchDatabase();
await seedSampleData(db);
const redis = await acquireRedis(loadConfig().redisUrl);

let loads = 0;
async function loadProduct(id: number): Promise<ProductJson> {
  loads++;
  return toProductJson(await db.product.findUniqueOrThrow({ where: { id }, include: { category: true } }));
}
function databaseDown(): never {
  throw new Error('database is down');
}

// The toolkit: a Cache per app server on one Redis namespace. Its clock is injected, so "five
// minutes later" is one assignment; bentocache reads Date.now() and has no clock option.
const toolkitRedis = await connectCacheRedis(redis.url);
let clock = Date.now();
const toolkitStore = new RedisStore(toolkitRedis, `${prefix}:toolkit`);
const toolkitA = new Cache({ store: toolkitStore, now: () => new Date(clock) });
const toolkitB = new Cache({ store: toolkitStore, now: () => new Date(clock) });

/**
 * One app server's bentocache. L2 is an ioredis client we created (the cache client of
 * src/cache, with its command timeout): bentocache uses it as it is, and closes it on
 * disconnect(). It recognises a client with `instanceof` against its own copy of ioredis, so keep
 * one ioredis in the tree (`npm ls ioredis`): with two, it would quietly connect to
 * 127.0.0.1:6379 instead (Julien-R44/bentocache#122). The bus is given connection options: it opens
 * a publisher and a subscriber of its own, and from a client it would `duplicate()` it, copying
 * `enableOfflineQueue: false`, on which the subscriber's first SUBSCRIBE fails and the process dies.
 */
async function appServer(name: string, withBus: boolean) {
  const l2Client = await connectCacheRedis(redis.url);
  const store = bentostore().useL1Layer(memoryDriver({ maxSize: '10mb' })).useL2Layer(redisDriver({ connection: l2Client }));
  if (withBus) store.useBus(redisBusDriver({ connection: redisOptionsFromUrl(redis.url) }));
  const bento = new BentoCache({ default: 'products', prefix: `${prefix}:bento`, stores: { products: store } });
  // What each call did, from bentocache's events: "miss", "hit in l1", "hit in l2", "graced hit in l1".
  const seen: string[] = [];
  bento.on('cache:hit', ({ layer, graced }) => seen.push(`${graced ? 'graced ' : ''}hit in ${layer}`));
  bento.on('cache:miss', () => seen.push('miss'));
  bento.use(); // builds the store now, so the bus subscribes before anything is published
  return { name, bento, l2Client, take: () => seen.splice(0).join(', ') };
}
const serverA = await appServer('A', true);
const serverB = await appServer('B', true);
const serverC = await appServer('C', false);
const bentoA = serverA.bento;

try {
  await waitForBusSubscribers(2);
  console.log('1. Rails.cache.fetch("products/1", expires_in: 5.minutes) { ... }: a miss loads, the next call hits');
  const key = 'products/1';
  for (let call = 0; call < 2; call++) await toolkitA.fetch(key, { expiresIn: FIVE_MINUTES, raceConditionTtl: TEN_SECONDS }, () => loadProduct(1));
  const { hits, misses } = toolkitA.stats();
  console.log(`   toolkit     cache.fetch(key, { expiresIn: 300_000 }, loader) x2: misses ${misses}, hits ${hits}, loads ${loads}`);
  loads = 0;
  // grace must be longer than ttl: Redis keeps a graced entry for `grace` in all, not ttl + grace.
  const bentoOptions = { key, ttl: '5m', grace: '6h' } as const;
  for (let call = 0; call < 2; call++) await bentoA.getOrSet({ ...bentoOptions, factory: () => loadProduct(1) });
  console.log(`   bentocache  getOrSet({ key, factory, ttl: '5m', grace: '6h' }) x2: ${serverA.take()}, loads ${loads}`);
  const pttl = await toolkitRedis.pttl(`${prefix}:bento:${key}`);
  console.log(`   Redis keeps ${prefix}:bento:${key} for ${(pttl / 3_600_000).toFixed(2)} h: the grace period, not ttl + grace`);

  console.log('\n2. Five minutes later product 1 has been renamed; the cached copy has expired');
  await db.product.update({ where: { id: 1 }, data: { name: 'Product 1.1 (renamed)' } });
  clock += FIVE_MINUTES + 1000;
  let releaseLoader!: () => void;
  let loaderStarted!: () => void;
  const started = new Promise<void>((resolve) => (loaderStarted = resolve));
  const aFetch = toolkitA.fetch<ProductJson>(key, { expiresIn: FIVE_MINUTES, raceConditionTtl: TEN_SECONDS }, async () => {
    loaderStarted();
    await new Promise<void>((resolve) => (releaseLoader = resolve));
    return loadProduct(1);
  });
  await started; // A has pushed the stale entry's expiry forward by 10 s and is loading
  const bWhileALoads = await toolkitB.fetch<ProductJson>(key, { expiresIn: FIVE_MINUTES, raceConditionTtl: TEN_SECONDS }, () => loadProduct(1));
  releaseLoader();
  const aGot = (await aFetch).name;
  console.log(`   toolkit     raceConditionTtl 10 s: server A waits for its loader -> "${aGot}"; server B meanwhile -> "${bWhileALoads.name}" (stale)`);

  // bentocache: expire() marks the entry stale but keeps it for the grace period, as five
  // minutes passing would. With the default `timeout: 0` the caller gets the stale value at once
  // and the factory runs in the background.
  await bentoA.expire({ key });
  const refreshed = new Promise((resolve) => bentoA.once('cache:written', resolve));
  const atOnce = await bentoA.getOrSet<ProductJson>({ ...bentoOptions, factory: () => loadProduct(1) });
  await withTimeout(refreshed, 'background refresh');
  const next = await bentoA.getOrSet<ProductJson>({ ...bentoOptions, factory: () => loadProduct(1) });
  const how = serverA.take().split(', ')[0];
  console.log(`   bentocache  grace, timeout 0: -> "${atOnce.name}" at once (${how}), refreshed in the background; next call -> "${next.name}"`);
  console.log(`               (Rails makes the first caller wait; give bentocache a timeout such as '200ms' to wait that long for the factory first)`);

  console.log('   ...and five minutes later still, the database is down:');
  clock += FIVE_MINUTES + 1000;
  const toolkitOutcome = await toolkitA.fetch<ProductJson>(key, { expiresIn: FIVE_MINUTES, raceConditionTtl: TEN_SECONDS }, databaseDown).then(
    (product) => `-> "${product.name}"`,
    (error: Error) => `rejects: ${error.message}`,
  );
  console.log(`   toolkit     fetch ${toolkitOutcome} (as Rails raises; other callers get the stale copy for the 10 s)`);
  await bentoA.expire({ key });
  let reportFailure!: (line: string) => void;
  const factoryFailed = new Promise<string>((resolve) => (reportFailure = resolve));
  const graced = await bentoA.getOrSet<ProductJson>({
    ...bentoOptions,
    factory: databaseDown,
    onFactoryError: (error) => reportFailure(`${(error.cause as Error).message}${error.isBackgroundFactory ? ' (in the background)' : ''}`),
  });
  console.log(`   bentocache  getOrSet -> "${graced.name}" (${serverA.take()}); onFactoryError: ${await withTimeout(factoryFailed, 'factory error')}`);
  console.log(`               stale-if-error: the graced value is served for as long as the grace period lasts`);

  console.log('\n3. Three app servers, memory (L1) in front of Redis (L2); A and B share the bus, C has none');
  const key2 = 'products/2';
  const get2 = (server: typeof serverA) => server.bento.getOrSet<ProductJson>({ key: key2, ttl: '5m', grace: '6h', factory: () => loadProduct(2) });
  loads = 0;
  for (const server of [serverA, serverB, serverC, serverB]) {
    const product = await get2(server);
    console.log(`   ${server.name}: "${product.name}"  ${server.take()}`);
  }
  console.log(`   loads: ${loads} (A loaded it; B and C found it in Redis and kept a copy in memory)`);
  await db.product.update({ where: { id: 2 }, data: { name: 'Product 1.2 (renamed)' } });
  let onMessage!: (event: { message: { keys: string[]; type: string } }) => void;
  const received = new Promise<string>((resolve) => {
    onMessage = ({ message }) => {
      if (message.keys.includes(key2)) resolve(`${message.type} ${message.keys.join(' ')}`);
    };
  });
  serverB.bento.on('bus:message:received', onMessage);
  await bentoA.delete({ key: key2 });
  const message = await withTimeout(received, 'bus message for products/2');
  serverB.bento.off('bus:message:received', onMessage);
  console.log(`   product 2 renamed; A: delete({ key }) removes it from A's memory and from Redis, and B's bus gets "${message}"`);
  for (const server of [serverB, serverC]) {
    const product = await get2(server);
    console.log(`   ${server.name}: "${product.name}"  ${server.take()}`);
  }
  console.log(`   C still serves its memory copy: without the bus it learns of the change only when its ttl runs out`);

  console.log('\n4. Rails.cache -> toolkit (src/cache) -> bentocache 1.6');
  for (const row of MAPPING) console.log(`   ${row[0].padEnd(32)} ${row[1].padEnd(34)} ${row[2]}`);
} finally {
  await bentoA.clear(); // this run's keys in Redis, and only those: the prefix is per process
  for (const { bento, l2Client } of [serverA, serverB, serverC]) {
    // disconnect() also closes the L2 client it was given (with ioredis' disconnect(), not quit()),
    // so never hand bentocache a client something else still uses. Ours is closed by now; saying
    // so again costs nothing and keeps this example exiting should a later version stop doing it.
    await bento.disconnect();
    l2Client.disconnect();
  }
  await toolkitA.deleteMatched('*');
  await toolkitRedis.quit();
  await dispose();
  await redis.release();
}

/** Waits until `count` bus subscribers listen on the store's channel (bentocache subscribes without awaiting). */
async function waitForBusSubscribers(count: number): Promise<void> {
  const channel = 'bentocache.notifications:products'; // bentocache's channel name: its own plus the store's
  const deadline = Date.now() + 5000;
  for (;;) {
    const [, subscribers] = (await toolkitRedis.pubsub('NUMSUB', channel)) as [string, number];
    if (subscribers >= count) return;
    if (Date.now() > deadline) throw new Error(`The bentocache bus did not subscribe to ${channel} within 5 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function withTimeout<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`No ${what} within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
