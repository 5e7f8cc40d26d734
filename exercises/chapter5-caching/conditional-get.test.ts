import express from 'express';
import { describe, expect, it } from 'vitest';
import { queryReportMiddleware, watchQueries } from '../../src/queries/index.js';
import { httpRequest, reverseUnorderedReads, serve, useTestEnv } from '../../test/harness.js';
import { categoryRoute } from './conditional-get.js';
import { writeCatalogue, WRITTEN_AT } from './test-cache.js';

const env = useTestEnv();

/**
 * A real HTTP server with the route mounted. The query-counting middleware of chapter 6 puts the
 * number of SQL statements each request ran into its `X-Query-Count` header.
 *
 * Requests go through the harness's `httpRequest`, which sends exactly the headers given
 * (`fetch()` would add `Cache-Control: no-cache` to a conditional request, which never gets a 304).
 */
async function startApp() {
  const app = express()
    .use(queryReportMiddleware({ header: 'X-Query-Count', log: () => {} }))
    .get('/categories/:id', categoryRoute(watchQueries(env.db)));
  const base = await serve(env, app);
  return async (id: number | string, headers: Record<string, string> = {}) => {
    const answer = await httpRequest(`${base}/categories/${id}`, { headers });
    return { ...answer, queries: Number(answer.headers['x-query-count']) };
  };
}

function directives(cacheControl: string | undefined): string[] {
  return (cacheControl ?? '').split(',').map((d) => d.trim().toLowerCase()).sort();
}

describe('GET /categories/:id', () => {
  it('answers 200 with the products, a weak ETag, Last-Modified and public caching for 5 minutes', async () => {
    const get = await startApp();
    const { categories, products } = await writeCatalogue(env.db);
    const category = categories[1]!;
    await reverseUnorderedReads(env);

    const response = await get(category.id);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({
      id: category.id,
      name: 'Category 2',
      products: products.filter((p) => p.categoryId === category.id).map((p) => ({ id: p.id, name: p.name, priceCents: p.priceCents })),
    });
    expect(response.headers.etag).toMatch(/^W\/".+"$/);
    expect(response.headers['last-modified']).toBe(WRITTEN_AT.toUTCString());
    expect(directives(response.headers['cache-control'])).toEqual(['max-age=300', 'public']);
  });

  it('answers 304 with no body to If-None-Match with that ETag, after one query only', async () => {
    const get = await startApp();
    const { categories } = await writeCatalogue(env.db, { categories: 1, productsPerCategory: 20 });
    const { headers } = await get(categories[0]!.id);
    const etag = headers.etag!;

    const response = await get(categories[0]!.id, { 'If-None-Match': etag });
    expect(response.status).toBe(304);
    expect(response.text).toBe('');
    expect(response.headers.etag).toBe(etag);
    expect(response.queries).toBeLessThanOrEqual(1);
  });

  it('answers 304 to If-Modified-Since with the Last-Modified date, after one query only', async () => {
    const get = await startApp();
    const { categories } = await writeCatalogue(env.db);

    const response = await get(categories[0]!.id, { 'If-Modified-Since': WRITTEN_AT.toUTCString() });
    expect(response.status).toBe(304);
    expect(response.queries).toBeLessThanOrEqual(1);
  });

  it('answers 200 with a new ETag once the category has been touched', async () => {
    const get = await startApp();
    const { categories } = await writeCatalogue(env.db);
    const category = categories[0]!;
    const etag = (await get(category.id)).headers.etag!;

    const touchedAt = new Date('2021-02-01T08:30:00Z');
    await env.db.category.update({ where: { id: category.id }, data: { updatedAt: touchedAt } });
    const response = await get(category.id, { 'If-None-Match': etag });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({ id: category.id, name: 'Category 1' });
    expect(response.headers.etag).toMatch(/^W\/".+"$/);
    expect(response.headers.etag).not.toBe(etag);
    expect(response.headers['last-modified']).toBe(touchedAt.toUTCString());
  });

  it('answers 200 to the old ETag when the category was touched again within the same second', async () => {
    const get = await startApp();
    const { categories } = await writeCatalogue(env.db);
    const category = categories[0]!;
    const etag = (await get(category.id)).headers.etag!;

    // Last-Modified cannot tell these apart (HTTP dates have whole seconds); the ETag must.
    await env.db.category.update({ where: { id: category.id }, data: { updatedAt: new Date(WRITTEN_AT.getTime() + 400) } });
    const response = await get(category.id, { 'If-None-Match': etag });
    expect(response.status).toBe(200);
    expect(response.headers.etag).not.toBe(etag);
  });

  it.each(['America/Los_Angeles', 'Pacific/Auckland'])('sends Last-Modified in GMT, and answers 304 to it, under TZ=%s', async (zone) => {
    const saved = process.env.TZ;
    process.env.TZ = zone;
    env.track({
      close: async () => {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      },
    });
    const get = await startApp();
    const { categories } = await writeCatalogue(env.db);
    const category = categories[0]!;
    // Another calendar day in both zones: 12:30 on 1 February in Los Angeles, 09:30 on 2 February in Auckland.
    await env.db.category.update({ where: { id: category.id }, data: { updatedAt: new Date('2021-02-01T20:30:00Z') } });

    const response = await get(category.id);
    expect(response.headers['last-modified']).toBe('Mon, 01 Feb 2021 20:30:00 GMT');
    expect((await get(category.id, { 'If-Modified-Since': 'Mon, 01 Feb 2021 20:30:00 GMT' })).status).toBe(304);
    expect((await get(category.id, { 'If-Modified-Since': 'Mon, 01 Feb 2021 20:29:59 GMT' })).status).toBe(200);
  });

  it('answers 200 to a request with Cache-Control: no-cache, even with a matching ETag', async () => {
    const get = await startApp();
    const { categories } = await writeCatalogue(env.db);
    const etag = (await get(categories[0]!.id)).headers.etag!;

    const response = await get(categories[0]!.id, { 'If-None-Match': etag, 'Cache-Control': 'no-cache' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({ id: categories[0]!.id });
  });

  it.each(['abc', '1.5', '0', '-3', '99999999999'])('answers 400 with an error for the id %s', async (id) => {
    const get = await startApp();
    await writeCatalogue(env.db);
    const response = await get(id);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toEqual({ error: expect.any(String) });
  });

  it('answers 404 with an error for a category that does not exist', async () => {
    const get = await startApp();
    await writeCatalogue(env.db);
    const response = await get(4242);
    expect(response.status).toBe(404);
    expect(JSON.parse(response.text)).toEqual({ error: expect.any(String) });
  });
});
