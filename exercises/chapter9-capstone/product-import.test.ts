import { FlowProducer, Queue, Worker } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { useTestEnv, waitUntil } from '../../test/harness.js';
import {
  finishImport,
  FINISH_IMPORT_JOB,
  IMPORT_BATCHES_QUEUE,
  IMPORTS_QUEUE,
  importBatch,
  startImport,
  startImportBatchWorker,
  type FinishImportData,
  type ImportBatchData,
  type Supplier,
} from './product-import.js';

const env = useTestEnv();
const options = () => ({ connection: env.connection, prefix: env.prefix });
const FINISHED_AT = new Date('2030-01-15T09:30:00Z');
const GENEROUS = { max: 1000, duration: 1000 };
const CATEGORIES = ['Garden', 'Kitchen', 'Tools'];

/** A catalogue of `count` products, SKU-001 onwards, over three categories. */
function catalogue(count: number, priceOf = (n: number) => n * 100): string {
  const lines = Array.from({ length: count }, (_, i) => {
    const n = i + 1;
    return `SKU-${String(n).padStart(3, '0')},Product ${n},${priceOf(n)},${CATEGORIES[n % 3]}`;
  });
  return ['sku,name,priceCents,category', ...lines, ''].join('\n');
}

/** A fake supplier API: stock = the SKU's number, except for `discontinued` SKUs; records every call. */
function fakeSupplier(discontinued: string[] = []) {
  const calls: { at: number; skus: string[] }[] = [];
  const supplier: Supplier = async (skus) => {
    calls.push({ at: Date.now(), skus });
    return Object.fromEntries(skus.filter((sku) => !discontinued.includes(sku)).map((sku) => [sku, Number(sku.slice(4))]));
  };
  return { supplier, calls };
}

/** Every failed attempt of a batch, so a wait for the import stops at the first one, with its error. */
const batchFailures: string[] = [];

/** A batch Worker made by startImportBatchWorker, its failures recorded. */
function startBatchWorker(supplier: Supplier, limiter: { max: number; duration: number }, concurrency: number) {
  const worker = env.track(startImportBatchWorker({ db: env.db, supplier, limiter, concurrency, ...options() }));
  worker.on('failed', (job, error) => batchFailures.push(`${job?.id}: ${error.message}`));
  return worker;
}

/** The two Workers of an import: batches within `limiter`, and the finish-import parent on a fixed clock. */
function startWorkers(supplier: Supplier, { limiter = GENEROUS, concurrency = 3 } = {}) {
  const finishStarts: number[] = [];
  batchFailures.length = 0;
  startBatchWorker(supplier, limiter, concurrency);
  env.track(
    new Worker<FinishImportData>(
      IMPORTS_QUEUE,
      async (job) => {
        finishStarts.push(Date.now());
        return finishImport(job, env.db, () => FINISHED_AT);
      },
      options(),
    ),
  );
  return { finishStarts };
}

function flows(): FlowProducer {
  return env.track(new FlowProducer(options()));
}

async function importDone(importId: number) {
  return waitUntil(async () => {
    // No batch is expected to fail: say so at once rather than after the retries' backoff.
    if (batchFailures.length > 0) throw new Error(`a batch failed: ${batchFailures[0]}`);
    const row = await env.db.productImport.findUnique({ where: { id: importId } });
    return row?.status === 'done' ? row : undefined;
  }, { message: `import ${importId} to be done`, timeoutMs: 10_000 });
}

describe('a CSV import as one flow (Sidekiq::Batch with on(:success))', () => {
  it('splits 25 rows into batches of 10, 10 and 5, each row once, in file order', async () => {
    const { flow, importId } = await startImport({ db: env.db, flowProducer: flows(), csv: catalogue(25), filename: 'catalogue.csv', batchSize: 10 });

    expect(flow.job.name).toBe(FINISH_IMPORT_JOB);
    expect(flow.job.queueName).toBe(IMPORTS_QUEUE);
    const batches = (flow.children ?? []).map((child) => child.job.data as ImportBatchData);
    expect(flow.children?.every((child) => child.job.queueName === IMPORT_BATCHES_QUEUE)).toBe(true);
    const bySize = [...batches].sort((a, b) => b.rows.length - a.rows.length || a.rows[0]!.sku.localeCompare(b.rows[0]!.sku));
    expect(bySize.map((batch) => batch.rows.map((row) => row.sku))).toEqual([
      Array.from({ length: 10 }, (_, i) => `SKU-${String(i + 1).padStart(3, '0')}`),
      Array.from({ length: 10 }, (_, i) => `SKU-${String(i + 11).padStart(3, '0')}`),
      Array.from({ length: 5 }, (_, i) => `SKU-${String(i + 21).padStart(3, '0')}`),
    ]);
    expect(batches[0]!.rows[0]).toEqual({ sku: 'SKU-001', name: 'Product 1', priceCents: 100, category: 'Kitchen' });
    expect(await env.db.productImport.findUniqueOrThrow({ where: { id: importId } })).toMatchObject({ filename: 'catalogue.csv', rowCount: 25, status: 'running' });
  });

  it('a batch size that divides the rows makes no empty last batch', async () => {
    const { flow } = await startImport({ db: env.db, flowProducer: flows(), csv: catalogue(20), filename: 'even.csv', batchSize: 10 });
    expect((flow.children ?? []).map((child) => (child.job.data as ImportBatchData).rows.length)).toEqual([10, 10]);
  });

  it('imports every product and category once, then finish-import runs once, after the last batch', async () => {
    const { supplier } = fakeSupplier();
    const run = startWorkers(supplier);
    const { importId, flow } = await startImport({ db: env.db, flowProducer: flows(), csv: catalogue(25), filename: 'catalogue.csv', batchSize: 10 });

    const done = await importDone(importId);
    expect(done).toMatchObject({ status: 'done', rowCount: 25, importedCount: 25, finishedAt: FINISHED_AT });
    expect(await env.db.product.count()).toBe(25);
    expect((await env.db.category.findMany({ orderBy: { name: 'asc' } })).map((c) => c.name)).toEqual(CATEGORIES);
    expect(await env.db.product.findUnique({ where: { sku: 'SKU-025' }, select: { name: true, priceCents: true, stock: true, category: { select: { name: true } } } })).toEqual({
      name: 'Product 25',
      priceCents: 2500,
      stock: 25,
      category: { name: 'Kitchen' },
    });

    expect(run.finishStarts).toHaveLength(1);
    // Redis's own record: the parent started after the last batch had finished.
    const batches = env.track(new Queue(IMPORT_BATCHES_QUEUE, options()));
    const children = await Promise.all((flow.children ?? []).map((child) => batches.getJob(child.job.id!)));
    const parent = await env.track(new Queue(IMPORTS_QUEUE, options())).getJob(flow.job.id!);
    expect(children).toHaveLength(3);
    expect(parent!.processedOn!).toBeGreaterThanOrEqual(Math.max(...children.map((child) => child!.finishedOn!)));
  });

  it('counts what the batches imported, not the rows: SKUs the supplier no longer sells are skipped', async () => {
    const { supplier } = fakeSupplier(['SKU-003', 'SKU-014', 'SKU-025']);
    startWorkers(supplier);
    const { importId } = await startImport({ db: env.db, flowProducer: flows(), csv: catalogue(25), filename: 'catalogue.csv', batchSize: 10 });

    expect(await importDone(importId)).toMatchObject({ rowCount: 25, importedCount: 22 });
    expect(await env.db.product.count()).toBe(22);
    expect(await env.db.product.findUnique({ where: { sku: 'SKU-014' } })).toBeNull();
  });

  it('importing the catalogue again updates the products by SKU instead of adding them', async () => {
    const { supplier } = fakeSupplier();
    startWorkers(supplier);
    const first = await startImport({ db: env.db, flowProducer: flows(), csv: catalogue(25), filename: 'monday.csv', batchSize: 10 });
    await importDone(first.importId);
    const second = await startImport({ db: env.db, flowProducer: flows(), csv: catalogue(25, (n) => n * 100 + 99), filename: 'tuesday.csv', batchSize: 10 });

    expect(await importDone(second.importId)).toMatchObject({ importedCount: 25 });
    expect(await env.db.product.count()).toBe(25);
    expect(await env.db.category.count()).toBe(3);
    expect((await env.db.product.findUniqueOrThrow({ where: { sku: 'SKU-007' } })).priceCents).toBe(799);
  });
});

describe('a batch run twice', () => {
  it('after a redelivery leaves one product per SKU and one category per name, and returns the same', async () => {
    const { supplier } = fakeSupplier();
    const job = { data: { importId: 1, rows: [
      { sku: 'SKU-001', name: 'Spade', priceCents: 1999, category: 'Garden' },
      { sku: 'SKU-002', name: 'Rake', priceCents: 1499, category: 'Garden' },
      { sku: 'SKU-003', name: 'Whisk', priceCents: 499, category: 'Kitchen' },
    ] } };

    expect(await importBatch(job, env.db, supplier)).toEqual({ imported: 3 });
    expect(await importBatch(job, env.db, supplier)).toEqual({ imported: 3 });
    expect(await env.db.product.count()).toBe(3);
    expect((await env.db.category.findMany({ orderBy: { name: 'asc' } })).map((c) => c.name)).toEqual(['Garden', 'Kitchen']);
  });

  it('finds a category that already exists by name', async () => {
    const garden = await env.db.category.create({ data: { name: 'Garden' } });
    const { supplier } = fakeSupplier();
    await importBatch({ data: { importId: 1, rows: [{ sku: 'SKU-009', name: 'Hoe', priceCents: 1299, category: 'Garden' }] } }, env.db, supplier);
    expect((await env.db.product.findUniqueOrThrow({ where: { sku: 'SKU-009' } })).categoryId).toBe(garden.id);
    expect(await env.db.category.count()).toBe(1);
  });
});

describe('a malformed file is refused whole', () => {
  const header = 'sku,name,priceCents,category';
  it.each([
    ['a wrong header', 1, `sku,title,price,category\nSKU-001,Spade,1999,Garden\n`],
    ['a row with three fields', 4, `${header}\nSKU-001,Spade,1999,Garden\nSKU-002,Rake,1499,Garden\nSKU-003,Whisk,499\n`],
    ['a price that is not whole cents', 3, `${header}\nSKU-001,Spade,1999,Garden\nSKU-002,Rake,14.99,Garden\n`],
    ['an empty SKU', 3, `${header}\nSKU-001,Spade,1999,Garden\n,Rake,1499,Garden\n`],
    ['a SKU twice', 4, `${header}\nSKU-001,Spade,1999,Garden\nSKU-002,Rake,1499,Garden\nSKU-001,Spade,2099,Garden\n`],
  ])('%s: a RangeError naming line %d, and no import row and no job', async (_, line, csv) => {
    const attempt = startImport({ db: env.db, flowProducer: flows(), csv, filename: 'bad.csv', batchSize: 2 });
    await expect(attempt).rejects.toThrow(RangeError);
    await expect(startImport({ db: env.db, flowProducer: flows(), csv, filename: 'bad.csv', batchSize: 2 })).rejects.toThrow(new RegExp(`line ${line}\\b`));
    expect(await env.db.productImport.count()).toBe(0);
    expect(await env.track(new Queue(IMPORT_BATCHES_QUEUE, options())).count()).toBe(0);
    expect(await env.track(new Queue(IMPORTS_QUEUE, options())).getJobCountByTypes('waiting-children', 'waiting')).toBe(0);
  });

  it.each([0, -1, 2.5, Number.NaN])('refuses batchSize %s with a RangeError', async (batchSize) => {
    await expect(startImport({ db: env.db, flowProducer: flows(), csv: catalogue(5), filename: 'x.csv', batchSize })).rejects.toThrow(RangeError);
    expect(await env.db.productImport.count()).toBe(0);
  });

  it('refuses a file with a header and no rows', async () => {
    await expect(startImport({ db: env.db, flowProducer: flows(), csv: 'sku,name,priceCents,category\n', filename: 'empty.csv', batchSize: 10 })).rejects.toThrow(RangeError);
    expect(await env.db.productImport.count()).toBe(0);
  });
});

describe("the supplier's limit (Sidekiq::Limiter.window)", () => {
  it('never lets more than max batches call the supplier within the window, across two workers', async () => {
    const { supplier, calls } = fakeSupplier();
    const limiter = { max: 2, duration: 400 };
    // Two Workers, as two processes would run, each free to take every batch at once.
    startWorkers(supplier, { limiter, concurrency: 6 });
    startBatchWorker(supplier, limiter, 6);
    const { importId } = await startImport({ db: env.db, flowProducer: flows(), csv: catalogue(12), filename: 'small.csv', batchSize: 2 });

    expect(await importDone(importId)).toMatchObject({ importedCount: 12 });
    const times = calls.map((call) => call.at).sort((a, b) => a - b);
    expect(times).toHaveLength(6);
    // BullMQ's window is fixed: each one lets `max` batches through at its start. So a call and
    // the call `max` places later are a window apart (half of it, leaving room for a busy machine).
    for (let i = 0; i + limiter.max < times.length; i++) {
      expect(times[i + limiter.max]! - times[i]!, `call ${i + limiter.max + 1} against call ${i + 1}`).toBeGreaterThanOrEqual(limiter.duration / 2);
    }
  });
});
