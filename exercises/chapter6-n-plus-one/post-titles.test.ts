import { expect, it } from 'vitest';
import { expectNoNPlusOne, expectQueries, watchQueries } from '../../src/queries/index.js';
import { reverseUnorderedReads, useTestEnv } from '../../test/harness.js';
import { listTitles } from './post-titles.js';
import { AUTHORS, writeBlog } from './test-data.js';

const env = useTestEnv();

it('lists titles and authors without loading relations it never reads', async () => {
  await writeBlog(env.db, { posts: 5, comments: () => 3 });
  await reverseUnorderedReads(env);
  const titles = await expectNoNPlusOne(() => listTitles(watchQueries(env.db)), { unusedIncludes: true });
  expect(titles).toEqual([1, 2, 3, 4, 5].map((n) => ({ title: `Post ${n}`, author: AUTHORS[(n - 1) % 4] })));
});

it('reads only the Post and User tables, in at most 2 queries', async () => {
  await writeBlog(env.db, { posts: 8, comments: () => 5 });
  const titles = await expectQueries({ atMost: 2, tables: ['Post', 'User'] }, () => listTitles(watchQueries(env.db)));
  expect(titles).toHaveLength(8);
});
