import { expect, it } from 'vitest';
import { expectNoNPlusOne, expectQueries, watchQueries } from '../../src/queries/index.js';
import { reverseUnorderedReads, useTestEnv } from '../../test/harness.js';
import { listCommentCounts } from './comment-counts.js';
import { writeBlog } from './test-data.js';

const env = useTestEnv();

it('counts each post’s comments, posts without comments included, with no count per row', async () => {
  await writeBlog(env.db, { posts: 6, comments: (index) => index % 4 });
  await reverseUnorderedReads(env);
  const counts = await expectNoNPlusOne(() => listCommentCounts(watchQueries(env.db)));
  expect(counts).toEqual([0, 1, 2, 3, 0, 1].map((comments, i) => ({ title: `Post ${i + 1}`, comments })));
});

it('reads posts and counts in a single query, like a counter cache', async () => {
  await writeBlog(env.db, { posts: 15, comments: () => 2 });
  const counts = await expectQueries({ exactly: 1 }, () => listCommentCounts(watchQueries(env.db)));
  expect(counts.every((row) => row.comments === 2)).toBe(true);
});
