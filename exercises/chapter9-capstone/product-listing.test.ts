import express from 'express';
import { describe, expect, it } from 'vitest';
import { kindOf, queryReportMiddleware, tableOf, watchQueries, type QueryReport } from '../../src/queries/index.js';
import { httpRequest, reverseUnorderedReads, serve, useTestEnv, waitUntil, type HttpAnswer, type TestEnv } from '../../test/harness.js';
import { DEFAULT_PAGE_SIZE, listingRoutes, MAX_PAGE_SIZE, type ProductListItem } from './product-listing.js';

const env = useTestEnv();

/** When every row of {@link writeShop} was written: long ago, so any later write moves it. */
const WRITTEN_AT = new Date('2020-01-01T00:00:00Z');

/**
 * `products` products (`Product 1`…, costing `n * 100` cents) spread over three categories in
 * turn, product `n` with `n % 4` reviews; every row written at {@link WRITTEN_AT}.
 */
async function writeShop(products: number, db: TestEnv['db'] = env.db) {
  const categories: { id: number }[] = [];
  for (const name of ['Kitchen', 'Garden', 'Toys']) categories.push(await db.category.create({ data: { name, updatedAt: WRITTEN_AT } }));
  await db.product.createMany({
    data: Array.from({ length: products }, (_, i) => ({
      name: `Product ${i + 1}`,
      priceCents: (i + 1) * 100,
      categoryId: categories[i % 3]!.id,
      updatedAt: WRITTEN_AT,
    })),
  });
  const rows = await db.product.findMany({ orderBy: { id: 'asc' }, include: { category: true } });
  await db.review.createMany({
    data: rows.flatMap((p, i) => Array.from({ length: (i + 1) % 4 }, (_, r) => ({ productId: p.id, rating: 5, body: `Review ${r} `.repeat(50), createdAt: WRITTEN_AT }))),
  });
  const expected: ProductListItem[] = rows.map((p, i) => ({ id: p.id, name: p.name, priceCents: p.priceCents, category: p.category.name, reviewCount: (i + 1) % 4 }));
  return { categories, expected };
}

interface Answer extends HttpAnswer {
  /** What the query helper saw during the request. */
  report: QueryReport;
}

/**
 * A real express app on a loopback port with the learner's routes behind the query helper's
 * middleware, which hands over each request's report. Requests go through the harness's
 * `httpRequest`, which sends exactly the headers given (`fetch()` adds `Cache-Control: no-cache`
 * to conditional ones).
 */
async function startListing(testEnv: TestEnv = env) {
  const reports: QueryReport[] = [];
  const app = express()
    .use(queryReportMiddleware({ header: 'X-Request-Number', log: () => {}, onReport: (report) => reports.push(report) }))
    .use(listingRoutes({ db: watchQueries(testEnv.db) }));
  const base = await serve(testEnv, app);
  return async (query = '', headers: Record<string, string> = {}): Promise<Answer> => {
    const answer = await httpRequest(`${base}/products${query}`, { headers });
    // The report is handed over when the server has finished the response, which may be just after the client saw it.
    const report = await waitUntil(() => reports.shift(), { message: 'the request’s query report' });
    return { ...answer, report };
  };
}

const ids = (text: string) => (JSON.parse(text) as ProductListItem[]).map((p) => p.id);

describe('GET /products', () => {
  it('answers the first page by id, with category names and review counts', async () => {
    const get = await startListing();
    const { expected } = await writeShop(25);
    await reverseUnorderedReads(env);

    const answer = await get();
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual(expected.slice(0, DEFAULT_PAGE_SIZE));
  });

  it('pages with limit and after: each page starts after the last id of the one before', async () => {
    const get = await startListing();
    const { expected } = await writeShop(7);
    await reverseUnorderedReads(env);
    const all = expected.map((p) => p.id);

    expect(ids((await get('?limit=3')).text)).toEqual(all.slice(0, 3));
    expect(ids((await get(`?limit=3&after=${all[2]}`)).text)).toEqual(all.slice(3, 6));
    expect(JSON.parse((await get(`?limit=3&after=${all[5]}`)).text)).toEqual(expected.slice(6));
    expect(JSON.parse((await get(`?limit=3&after=${all[6]}`)).text)).toEqual([]);
  });

  it('starts after an id that was deleted since the page before', async () => {
    const get = await startListing();
    const { expected } = await writeShop(6);
    await env.db.product.delete({ where: { id: expected[2]!.id } });
    expect(ids((await get(`?limit=2&after=${expected[2]!.id}`)).text)).toEqual([expected[3]!.id, expected[4]!.id]);
  });

  it(`answers up to ${MAX_PAGE_SIZE} products for limit=${MAX_PAGE_SIZE}`, async () => {
    const get = await startListing();
    const { expected } = await writeShop(MAX_PAGE_SIZE + 5);
    const answer = await get(`?limit=${MAX_PAGE_SIZE}`);
    expect(answer.status).toBe(200);
    expect(ids(answer.text)).toEqual(expected.slice(0, MAX_PAGE_SIZE).map((p) => p.id));
  });

  it.each(['limit=0', 'limit=-1', `limit=${MAX_PAGE_SIZE + 1}`, 'limit=2.5', 'limit=abc', 'limit=', 'after=abc', 'after=-1', 'after=1.5', 'limit=2&limit=3'])(
    'answers 400 for ?%s',
    async (query) => {
      const get = await startListing();
      await writeShop(3);
      const answer = await get(`?${query}`);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text)).toEqual({ error: expect.any(String) });
    },
  );

  it('answers [] for a shop without products', async () => {
    const get = await startListing();
    const answer = await get();
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual([]);
  });
});

describe('the queries of GET /products', () => {
  /** The statements of one full page of `size` products. */
  async function pageOf(size: number) {
    const get = await startListing();
    await writeShop(size);
    const answer = await get(`?limit=${size}`);
    expect(ids(answer.text)).toHaveLength(size);
    const { report } = answer;
    await env.db.product.deleteMany();
    await env.db.category.deleteMany();
    return report;
  }

  it('runs as many statements for 30 products as for 3, and no more than 5', async () => {
    const small = await pageOf(3);
    const large = await pageOf(30);
    expect(small.problems).toEqual([]);
    expect(large.problems).toEqual([]);
    expect(large.statements.length).toBe(small.statements.length);
    expect(large.statements.length).toBeLessThanOrEqual(5);
  });

  it('counts the reviews without reading any review row', async () => {
    const report = await pageOf(12);
    const reviewReads = report.statements.filter((s) => tableOf(s.sql)?.toLowerCase() === 'review' && kindOf(s) === 'select');
    expect(reviewReads.map((s) => s.sql)).toEqual([]);
  });
});

describe('conditional GET /products', () => {
  it('sends a weak ETag and Last-Modified, and answers 304 to them without reading the page', async () => {
    const get = await startListing();
    await writeShop(10);
    const first = await get('?limit=5');
    expect(first.headers.etag).toMatch(/^W\/".+"$/);
    expect(first.headers['last-modified']).toBe(WRITTEN_AT.toUTCString());

    const byTag = await get('?limit=5', { 'If-None-Match': first.headers.etag! });
    expect(byTag.status).toBe(304);
    expect(byTag.text).toBe('');
    expect(byTag.report.statements.length).toBeLessThan(first.report.statements.length);

    const byDate = await get('?limit=5', { 'If-Modified-Since': WRITTEN_AT.toUTCString() });
    expect(byDate.status).toBe(304);
  });

  it.each([
    ['a product is saved', async (id: number) => void (await env.db.product.update({ where: { id }, data: { priceCents: 1 } }))],
    ['a product is deleted', async (id: number) => void (await env.db.product.delete({ where: { id } }))],
    ['a review is written', async (id: number) => void (await env.db.review.create({ data: { productId: id, rating: 1, body: 'Broke', createdAt: WRITTEN_AT } }))],
    ['a product is added', async () => {
      const category = await env.db.category.findFirstOrThrow();
      await env.db.product.create({ data: { name: 'New', priceCents: 5, categoryId: category.id, updatedAt: WRITTEN_AT } });
    }],
    ['a category is renamed', async () => {
      const category = await env.db.category.findFirstOrThrow({ orderBy: { id: 'asc' } });
      await env.db.category.update({ where: { id: category.id }, data: { name: 'Cooking' } });
    }],
  ])('answers 200 with a new ETag to the old one once %s', async (_, change) => {
    const get = await startListing();
    const { expected } = await writeShop(6);
    const first = await get();
    await change(expected[1]!.id);

    const answer = await get('', { 'If-None-Match': first.headers.etag! });
    expect(answer.status).toBe(200);
    expect(answer.headers.etag).not.toBe(first.headers.etag);
    expect(JSON.parse(answer.text)).not.toEqual(JSON.parse(first.text));
  });

  it('gives each page its own ETag', async () => {
    const get = await startListing();
    const { expected } = await writeShop(6);
    const first = await get('?limit=3');
    const second = await get(`?limit=3&after=${expected[2]!.id}`, { 'If-None-Match': first.headers.etag! });
    expect(second.status).toBe(200);
    expect(ids(second.text)).toEqual(expected.slice(3, 6).map((p) => p.id));
  });
});

