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
  throw new Error('TODO(chapter 9): check the CSV, create the ProductImport, then add ONE flow: finish-import with a child per batch');
}

/**
 * The processor of `import-batch` jobs, `ImportBatchJob#perform`: asks the supplier once for the
 * stock of the batch's SKUs, then writes each row the supplier knows as a product, found by its
 * SKU (created, or updated with the row's name, price, category and the supplier's stock), with
 * its category found by name or created. Rows the supplier does not know are skipped. Running a
 * batch again, after a retry or a redelivery, leaves one product per SKU and one category per name.
 */
export async function importBatch(job: Pick<Job<ImportBatchData>, 'data'>, db: Database, supplier: Supplier): Promise<ImportBatchResult> {
  throw new Error('TODO(chapter 9): call the supplier once, then upsert each product it knows by sku, with its category by name');
}

/**
 * The processor of the `finish-import` parent, `ImportCallback#on_success`: marks the import
 * `done` at `now()`, with `importedCount` the sum of what its batches returned.
 */
export async function finishImport(job: Job<FinishImportData>, db: Database, now: () => Date = () => new Date()): Promise<void> {
  throw new Error("TODO(chapter 9): add up the children's values (getChildrenValues) and mark the import done");
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
export function startImportBatchWorker(options: ImportBatchWorkerOptions): Worker<ImportBatchData, ImportBatchResult> {
  throw new Error('TODO(chapter 9): a Worker on the batches queue, running importBatch, with the limiter');
}
