/**
 * Chapter 5: conditional GET, Rails' `stale?` / `fresh_when`, on express 5.
 *
 *   npx tsx tutorials/05-caching/example-conditional-get.ts
 *
 * Serves one product page two ways on a loopback port and asks for it twice, the second time
 * with the ETag it was given, as a browser would: first with express's own ETag, computed from
 * the finished body, then with validators taken from `updatedAt` before any work. Both answer
 * 304; only the second skips building the page. Throwaway SQLite; exits by itself.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { createScratchDatabase } from '../../src/db/scratch.js';
import { seedSampleData } from '../../src/db/seed.js';

const { db, dispose } = await createScratchDatabase();
await seedSampleData(db);
let pagesBuilt = 0;

async function buildPage(id: number) {
  pagesBuilt++;
  const product = await db.product.findUniqueOrThrow({ where: { id }, include: { category: { include: { products: true } } } });
  return { name: product.name, priceCents: product.priceCents, alsoIn: product.category.products.map((other) => other.name) };
}

const app = express();

// express sets a weak ETag from the body it is about to send, and turns the answer into a 304
// when the request's If-None-Match matches: the bytes are saved, the work was already done.
app.get('/body-etag/products/:id', async (req: Request, res: Response) => {
  res.json(await buildPage(Number(req.params.id)));
});

// `stale?`: validators from the record's updatedAt first; build the page only when the client's copy is stale.
app.get('/products/:id', async (req: Request, res: Response) => {
  const id = Number(req.params.id);
  const { updatedAt } = await db.product.findUniqueOrThrow({ where: { id }, select: { updatedAt: true } });
  res.set({
    ETag: `W/"product-${id}-${updatedAt.getTime()}"`,
    'Last-Modified': updatedAt.toUTCString(),
    'Cache-Control': 'public, max-age=300', // expires_in 5.minutes, public: true
  });
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  res.json(await buildPage(id));
});

const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** A GET as a browser with a cached copy makes it; prints status, size and pages built. */
async function get(path: string, etag?: string): Promise<string> {
  const before = pagesBuilt;
  // Node's fetch adds `Cache-Control: no-cache` to a request with If-None-Match (the fetch
  // standard says so for clients without an HTTP cache), and `req.fresh` rightly answers "not
  // fresh" to that. A browser revalidating its copy sends `max-age=0`; so do we.
  const headers: Record<string, string> = etag ? { 'If-None-Match': etag, 'Cache-Control': 'max-age=0' } : {};
  const response = await fetch(base + path, { headers });
  const body = await response.text();
  console.log(`   ${response.status} ${path.padEnd(24)} ${String(body.length).padStart(4)} bytes, pages built: ${pagesBuilt - before}`);
  return response.headers.get('etag') ?? '';
}

try {
  console.log("1. express's body ETag: a 304 saves the bytes, not the work");
  await get('/body-etag/products/1', await get('/body-etag/products/1'));

  console.log('\n2. Validators from updatedAt before the work (Rails stale?): the 304 builds nothing');
  const etag = await get('/products/1');
  await get('/products/1', etag);

  console.log('\n3. The product changes: the same ETag no longer matches, so the page is built and sent');
  await db.product.update({ where: { id: 1 }, data: { priceCents: 1999 } });
  const newEtag = await get('/products/1', etag);
  console.log(`   ETag ${etag} -> ${newEtag}`);
} finally {
  server.close();
  await dispose();
}
