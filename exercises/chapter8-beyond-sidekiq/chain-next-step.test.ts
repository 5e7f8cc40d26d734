import { Queue, Worker, type Job } from 'bullmq';
import { expect, it } from 'vitest';
import { useTestEnv, waitUntil } from '../../test/harness.js';
import { importThenIndex, type ImportContactsData, type IndexContactsData } from './chain-next-step.js';

const env = useTestEnv();
const options = () => ({ connection: env.connection, prefix: env.prefix });

function queues() {
  const imports = env.track(new Queue<ImportContactsData>('imports', options()));
  const indexing = env.track(new Queue<IndexContactsData>('indexing', options()));
  return { imports, indexing };
}

it('enqueues the next step with what the import found, after the import', async () => {
  const { imports, indexing } = queues();
  const order: string[] = [];
  env.track(
    new Worker(
      'imports',
      importThenIndex(indexing, async (job) => {
        order.push(`import ${job.data.importId}`);
        expect(await indexing.count()).toBe(0); // nothing enqueued before the work is done
        return 250;
      }),
      options(),
    ),
  );

  const job = await imports.add('import-contacts', { importId: 7 });
  await waitUntil(async () => (await imports.getJobState(job.id!)) === 'completed', { message: 'the import to complete' });

  const next = await indexing.getWaiting();
  expect(next.map((j) => [j.name, j.data])).toEqual([['index-contacts', { importId: 7, imported: 250 }]]);
  expect((await imports.getJob(job.id!))?.returnvalue).toBe(next[0]!.id);
  expect(order).toEqual(['import 7']);
});

it('adds the next step once when the import is retried after enqueueing it', async () => {
  const { imports, indexing } = queues();
  let runs = 0;
  env.track(
    new Worker(
      'imports',
      importThenIndex(
        indexing,
        async () => 3,
        async (job: Job) => {
          runs++;
          if (job.attemptsMade === 0) throw new Error('could not mark the import as done');
        },
      ),
      options(),
    ),
  );

  const job = await imports.add('import-contacts', { importId: 8 }, { attempts: 3 });
  await waitUntil(async () => (await imports.getJobState(job.id!)) === 'completed', { message: 'the retried import to complete' });

  expect(runs).toBe(2);
  expect(await indexing.getWaitingCount()).toBe(1);
});

it('adds the next step once even when it has already run by the time the import is retried', async () => {
  const { imports, indexing } = queues();
  const indexed: number[] = [];
  env.track(
    new Worker<IndexContactsData>(
      'indexing',
      async (job) => {
        indexed.push(job.data.importId);
      },
      options(),
    ),
  );
  env.track(
    new Worker(
      'imports',
      importThenIndex(
        indexing,
        async () => 5,
        async (job: Job) => {
          if (job.attemptsMade > 0) return;
          // The next step is done (and its job kept as completed) before this attempt fails.
          await waitUntil(async () => (await indexing.getCompletedCount()) === 1, { message: 'the next step to run' });
          throw new Error('could not mark the import as done');
        },
      ),
      options(),
    ),
  );

  const job = await imports.add('import-contacts', { importId: 11 }, { attempts: 3 });
  await waitUntil(async () => (await imports.getJobState(job.id!)) === 'completed', { message: 'the retried import to complete' });

  expect(await indexing.getJobCountByTypes('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized')).toBe(1);
  expect(indexed).toEqual([11]);
});

it('gives two import jobs of the same import (a re-run asked for by a user) a next step each', async () => {
  const { imports, indexing } = queues();
  env.track(new Worker('imports', importThenIndex(indexing, async () => 4), options()));

  await imports.add('import-contacts', { importId: 12 });
  await imports.add('import-contacts', { importId: 12 });
  await waitUntil(async () => (await imports.getCompletedCount()) === 2, { message: 'both imports to complete' });

  expect((await indexing.getWaiting()).map((j) => j.data)).toEqual([
    { importId: 12, imported: 4 },
    { importId: 12, imported: 4 },
  ]);
});

it('gives every import job its own next step', async () => {
  const { imports, indexing } = queues();
  env.track(new Worker('imports', importThenIndex(indexing, async (job) => job.data.importId * 10), options()));

  const jobs = await imports.addBulk([1, 2, 3].map((importId) => ({ name: 'import-contacts', data: { importId } })));
  await waitUntil(async () => (await imports.getCompletedCount()) === jobs.length, { message: 'three imports to complete' });

  const next = await indexing.getWaiting();
  expect(next.map((j) => j.data.imported).sort()).toEqual([10, 20, 30]);
});

it('enqueues nothing when the import fails', async () => {
  const { imports, indexing } = queues();
  env.track(
    new Worker(
      'imports',
      importThenIndex(indexing, async () => {
        throw new Error('CSV is empty');
      }),
      options(),
    ),
  );

  const job = await imports.add('import-contacts', { importId: 9 });
  await waitUntil(async () => (await imports.getJobState(job.id!)) === 'failed', { message: 'the import to fail' });
  expect(await indexing.count()).toBe(0);
});
