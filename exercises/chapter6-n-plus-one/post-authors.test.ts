import { expect, it } from 'vitest';
import { expectNoNPlusOne, expectQueries, watchQueries } from '../../src/queries/index.js';
import { reverseUnorderedReads, useTestEnv } from '../../test/harness.js';
import { listFeed } from './post-authors.js';
import { AUTHORS, writeBlog } from './test-data.js';

const env = useTestEnv();

it('lists every published post with its author, without an N+1', async () => {
  await writeBlog(env.db, { posts: 10 });
  await reverseUnorderedReads(env);
  const feed = await expectNoNPlusOne(() => listFeed(watchQueries(env.db)));
  const published = [1, 2, 3, 4, 6, 7, 8, 9]; // posts 5 and 10 are drafts
  expect(feed).toEqual(published.map((n) => ({ title: `Post ${n}`, author: AUTHORS[(n - 1) % 4] })));
});

it('runs at most 2 queries, for 3 posts as for 30', async () => {
  await writeBlog(env.db, { posts: 30 });
  const feed = await expectQueries({ atMost: 2 }, () => listFeed(watchQueries(env.db)));
  expect(feed).toHaveLength(24);
});
