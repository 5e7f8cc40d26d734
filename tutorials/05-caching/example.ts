/**
 * Chapter 5: Rails.cache.fetch on Redis, and what it buys.
 *
 *   npx tsx tutorials/05-caching/example.ts
 *
 * Builds a product page (the product, its category, and the other products in that category)
 * from a throwaway SQLite file, then: the page's time uncached and cached with the hit ratio;
 * 50 requests at once for a cold key; an update seen at once through a versioned key; and what
 * the page answers while Redis is stopped. Uses a private Redis; exits by itself.
 */
import { loadConfig } from '../../src/config.js';
import { Cache, connectCacheRedis, recordCacheKey, RedisStore, type CacheFailure } from '../../src/cache/index.js';
import type { Database } from '../../src/db/client.js';
import { createScratchDatabase } from '../../src/db/scratch.js';
import { seedSampleData } from '../../src/db/seed.js';
import { startEmbeddedRedis } from '../../src/redis/embedded-server.js';
import { acquireRedis } from '../../src/redis/redis-url.js';

const FIVE_MINUTES = 5 * 60_000;

/** The expensive part: three queries and some shaping, what a Rails view would do. */
async function buildProductPage(db: Database, id: number) {
  const product = await db.product.findUniqueOrThrow({ where: { id }, include: { category: true } });
  const related = await db.product.findMany({
    where: { categoryId: product.categoryId, NOT: { id } },
    orderBy: { priceCents: 'asc' },
    take: 5,
  });
  const productsInCategory = await db.product.count({ where: { categoryId: product.categoryId } });
  return {
    name: product.name,
    price: `$${(product.priceCents / 100).toFixed(2)}`,
    category: `${product.category.name} (${productsInCategory} products)`,
    related: related.map((other) => other.name),
  };
}

async function medianMs(times: number, action: () => Promise<unknown>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await action();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

const { db, dispose } = await createScratchDatabase();
const redis = await acquireRedis(loadConfig().redisUrl);
const client = await connectCacheRedis(redis.url);
const namespace = `example-05-${process.pid}`;
const cache = new Cache({ store: new RedisStore(client, namespace) });

try {
  await seedSampleData(db);
  const productIds = (await db.product.findMany({ select: { id: true } })).map((product) => product.id);

  console.log('1. Rails.cache.fetch -> cache.fetch, 200 page views over the 24 products');
  let view = 0;
  const uncached = await medianMs(200, () => buildProductPage(db, productIds[view++ % productIds.length]!));
  const cached = await medianMs(200, () => {
    const id = productIds[view++ % productIds.length]!;
    return cache.fetch(`product-pages/${id}`, { expiresIn: FIVE_MINUTES }, () => buildProductPage(db, id));
  });
  const { hits, misses } = cache.stats();
  console.log(`   uncached: ${uncached.toFixed(2)} ms per page (median); cached: ${cached.toFixed(2)} ms`);
  console.log(`   hits ${hits}, misses ${misses}: hit ratio ${((100 * hits) / (hits + misses)).toFixed(1)} %`);
  console.log('   (SQLite is a file in this process; against a database across a network the gap is wider)');

  console.log('\n2. 50 requests at once for a key nobody has cached yet');
  let loaderRuns = 0;
  await cache.delete(`product-pages/${productIds[0]}`);
  await Promise.all(
    Array.from({ length: 50 }, () =>
      cache.fetch(`product-pages/${productIds[0]}`, { expiresIn: FIVE_MINUTES }, () => {
        loaderRuns++;
        return buildProductPage(db, productIds[0]!);
      }),
    ),
  );
  console.log(`   the page was built ${loaderRuns} time(s); the other 49 waited for that one build`);

  console.log('\n3. A versioned key: an update is a miss at once, and no key is left behind');
  const fetchCard = async (id: number) => {
    const product = await db.product.findUniqueOrThrow({ where: { id }, select: { id: true, updatedAt: true } });
    const { key, version } = recordCacheKey('products', product);
    return cache.fetch(key, { version, expiresIn: FIVE_MINUTES }, () => buildProductPage(db, id));
  };
  console.log(`   before: ${(await fetchCard(productIds[0]!)).price}`);
  await db.product.update({ where: { id: productIds[0] }, data: { priceCents: 999 } });
  console.log(`   after the update: ${(await fetchCard(productIds[0]!)).price}`);
  console.log(`   keys named products/*: ${(await client.keys(`${namespace}:products/*`)).length}`);

  console.log('\n4. Redis stops: the page still answers (fail open), built from the database');
  await showFailOpen();
} finally {
  await cache.deleteMatched('*');
  client.disconnect();
  await redis.release();
  await dispose();
}

/** On a Redis of its own, so stopping it leaves the one above alone. */
async function showFailOpen(): Promise<void> {
  const server = await startEmbeddedRedis().catch((error: Error) => {
    console.log(`   skipped: ${error.message}`);
    return undefined;
  });
  if (!server) return;
  const failures: CacheFailure[] = [];
  const outageClient = await connectCacheRedis(server.url);
  const outageCache = new Cache({ store: new RedisStore(outageClient, 'cache'), onError: (failure) => failures.push(failure) });
  try {
    const id = 1;
    const load = () => outageCache.fetch(`product-pages/${id}`, { expiresIn: FIVE_MINUTES }, () => buildProductPage(db, id));
    await load();
    await server.stop();
    const started = performance.now();
    const page = await load();
    console.log(`   answered "${page.name}, ${page.price}" in ${(performance.now() - started).toFixed(1)} ms with Redis stopped`);
    const reasons = [...new Set(failures.map((failure) => `${failure.operation}: ${(failure.error as Error).message}`))];
    console.log(`   onError heard ${failures.length} failure(s): ${reasons.join('; ')}`);
  } finally {
    outageClient.disconnect();
    await server.stop();
  }
}
