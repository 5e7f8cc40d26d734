import { Worker, type ConnectionOptions, type FlowProducer, type Job, type JobNode } from 'bullmq';
import type { Database } from '../../src/db/client.js';

/** The queue of the `finish-import` parent: the batch's `on(:success)` callback. */
export const IMPORTS_QUEUE = 'product-imports';
/** The queue of the `import-batch` children; its Worker keeps to the supplier's limit. */
export const IMPORT_BATCHES_QUEUE = 'product-import-batches';
/** The parent job's name. */
export const FINISH_IMPORT_JOB = 'finish-import';
/** The children's name. */
export const IMPORT_BATCH_JOB = 'import-batch';

/** One data row of the CSV (`sku,name,priceCents,category`). */
export interface ProductRow {
  sku: string;
  name: string;
  priceCents: number;
  category: string;
}

/** The data of an `import-batch` job: its rows, in file order. */
export interface ImportBatchData {
  importId: number;
  rows: ProductRow[];
}

/** What an `import-batch` job returns. */
export interface ImportBatchResult {
  /** Rows of the batch written as products (the supplier knew their SKU). */
  imported: number;
}

/** The data of the `finish-import` job. */
export interface FinishImportData {
  importId: number;
}

/**
 * The supplier's API: for a list of SKUs, the stock it holds of each. A SKU missing from the
 * answer is one the supplier no longer sells.
 */
export type Supplier = (skus: string[]) => Promise<Record<string, number>>;

/** What {@link startImport} is given. */
export interface StartImportOptions {
  db: Database;
  flowProducer: FlowProducer;
  /** The file's text: the header `sku,name,priceCents,category`, then one product per line. */
  csv: string;
  filename: string;
  /** Rows per `import-batch` job (Sidekiq code used 500); a whole number above 0. */
  batchSize: number;
}

/** What {@link startImport} did. */
export interface StartedImport {
  /** The ProductImport row's id. */
  importId: number;
  /** The flow as added: the `finish-import` parent with its `import-batch` children. */
  flow: JobNode;
}

const HEADER = 'sku,name,priceCents,category';

/** The CSV's rows; a RangeError naming the line of the first thing wrong. */
function parseProductCsv(csv: string): ProductRow[] {
  // Keep line numbers as an editor shows them: split first, skip blank lines afterwards.
  const lines = csv.split(/\r?\n/);
  if (lines[0]?.trim() !== HEADER) {
    throw new RangeError(`line 1: the header must be ${HEADER}, not ${JSON.stringify(lines[0] ?? '')}`);
  }
  const rows: ProductRow[] = [];
  const seen = new Map<string, number>();
  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    if (index === 0 || line.trim() === '') return;
    const fields = line.split(',').map((field) => field.trim());
    if (fields.length !== 4) throw new RangeError(`line ${lineNumber}: expected 4 fields (${HEADER}), got ${fields.length}`);
    const [sku, name, price, category] = fields as [string, string, string, string];
    if (!sku || !name || !category) throw new RangeError(`line ${lineNumber}: sku, name and category must not be empty`);
    if (!/^\d+$/.test(price)) throw new RangeError(`line ${lineNumber}: priceCents must be a whole number of cents, not ${JSON.stringify(price)}`);
    const earlier = seen.get(sku);
    if (earlier !== undefined) throw new RangeError(`line ${lineNumber}: SKU ${sku} is already on line ${earlier}`);
    seen.set(sku, lineNumber);
    rows.push({ sku, name, priceCents: Number(price), category });
  });
  if (rows.length === 0) throw new RangeError('the CSV has a header but no rows (line 2 is missing)');
  return rows;
}

/**
 * `ProductImportJob#perform`: reads the CSV, creates the ProductImport row (`rowCount`, status
 * `running`) and adds one flow for it, like a `Sidekiq::Batch` with `on(:success)`: a
 * `finish-import` parent on {@link IMPORTS_QUEUE} (data `{ importId }`) with one `import-batch`
 * child on {@link IMPORT_BATCHES_QUEUE} per `batchSize` rows, in file order (the last one holds
 * what is left). The parent runs once, after every batch.
 *
 * @throws RangeError, before anything is created or enqueued, when `batchSize` is not a whole
 * number above 0, or the CSV has no rows, a header other than `sku,name,priceCents,category`, or
 * a malformed row (not four fields, an empty field, a price that is not a whole number of cents
 * from 0 up, a SKU already on an earlier line): the message says `line N`, the line's number in
 * the file (the header is line 1).
 */
export async function startImport({ db, flowProducer, csv, filename, batchSize }: StartImportOptions): Promise<StartedImport> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a whole number above 0, got ${batchSize}`);
  // The whole file is checked before the row and the jobs exist: a bad line 2,000 creates nothing.
  const rows = parseProductCsv(csv);
  const productImport = await db.productImport.create({ data: { filename, rowCount: rows.length } });

  const batches: ProductRow[][] = [];
  for (let start = 0; start < rows.length; start += batchSize) batches.push(rows.slice(start, start + batchSize));

  // One flows.add: parent and children in one Redis transaction, so the parent cannot run first.
  const flow = await flowProducer.add({
    name: FINISH_IMPORT_JOB,
    queueName: IMPORTS_QUEUE,
    data: { importId: productImport.id } satisfies FinishImportData,
    opts: { jobId: `import-${productImport.id}` },
    children: batches.map((batch, n) => ({
      name: IMPORT_BATCH_JOB,
      queueName: IMPORT_BATCHES_QUEUE,
      data: { importId: productImport.id, rows: batch } satisfies ImportBatchData,
      // A supplier hiccup is retried; the upserts make the rerun harmless.
      opts: { jobId: `import-${productImport.id}-batch-${n + 1}`, attempts: 3, backoff: { type: 'exponential', delay: 1000 } },
    })),
  });
  return { importId: productImport.id, flow };
}

/**
 * The processor of `import-batch` jobs, `ImportBatchJob#perform`: asks the supplier once for the
 * stock of the batch's SKUs, then writes each row the supplier knows as a product, found by its
 * SKU (created, or updated with the row's name, price, category and the supplier's stock), with
 * its category found by name or created. Rows the supplier does not know are skipped. Running a
 * batch again, after a retry or a redelivery, leaves one product per SKU and one category per name.
 */
export async function importBatch(job: Pick<Job<ImportBatchData>, 'data'>, db: Database, supplier: Supplier): Promise<ImportBatchResult> {
  const stock = await supplier(job.data.rows.map((row) => row.sku));
  const categoryIds = new Map<string, number>();
  let imported = 0;
  for (const row of job.data.rows) {
    const units = stock[row.sku];
    if (units === undefined) continue; // the supplier no longer sells it
    let categoryId = categoryIds.get(row.category);
    if (categoryId === undefined) {
      // Upsert by the unique name: find_or_create_by!, without a second row on a rerun.
      const category = await db.category.upsert({ where: { name: row.category }, create: { name: row.category }, update: {} });
      categoryId = category.id;
      categoryIds.set(row.category, categoryId);
    }
    const fields = { name: row.name, priceCents: row.priceCents, stock: units, categoryId };
    await db.product.upsert({ where: { sku: row.sku }, create: { sku: row.sku, ...fields }, update: fields });
    imported += 1;
  }
  return { imported };
}

/**
 * The processor of the `finish-import` parent, `ImportCallback#on_success`: marks the import
 * `done` at `now()`, with `importedCount` the sum of what its batches returned.
 */
export async function finishImport(job: Job<FinishImportData>, db: Database, now: () => Date = () => new Date()): Promise<void> {
  // What the batches did, not rowCount: a skipped row is not an imported one.
  const results = Object.values(await job.getChildrenValues<ImportBatchResult>());
  const importedCount = results.reduce((sum, result) => sum + result.imported, 0);
  await db.productImport.update({ where: { id: job.data.importId }, data: { status: 'done', finishedAt: now(), importedCount } });
}

/** What {@link startImportBatchWorker} needs. */
export interface ImportBatchWorkerOptions {
  db: Database;
  supplier: Supplier;
  /** The supplier's published limit, `Sidekiq::Limiter.window('supplier', 10, :second)`: at most `max` batches per `duration` ms, across every worker. */
  limiter: { max: number; duration: number };
  /** Batches run at once by this Worker; 1 when not given. */
  concurrency?: number;
  connection: ConnectionOptions;
  prefix?: string;
}

/** A Worker that runs {@link importBatch} on {@link IMPORT_BATCHES_QUEUE} within the supplier's limit. */
export function startImportBatchWorker({ db, supplier, limiter, concurrency = 1, connection, prefix }: ImportBatchWorkerOptions): Worker<ImportBatchData, ImportBatchResult> {
  // The limiter counts in Redis: it holds for every Worker of the queue, on every machine.
  return new Worker<ImportBatchData, ImportBatchResult>(IMPORT_BATCHES_QUEUE, (job) => importBatch(job, db, supplier), {
    connection,
    prefix,
    concurrency,
    limiter: { max: limiter.max, duration: limiter.duration },
  });
}
