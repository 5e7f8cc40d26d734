/**
 * Chapter 6: the same page built several ways on a few hundred rows, with the query helper showing
 * what each one costs, and a walk through the table in batches, which it does not flag. Run it with `npx tsx tutorials/06-n-plus-one/example.ts`.
 *
 * It works on a throwaway SQLite file, so your prisma/dev.db is never touched.
 */
import type { Database } from '../../src/db/client.js';
import { createScratchDatabase } from '../../src/db/scratch.js';
import { expectQueries, formatProblem, queryLogOptions, runQueryScope, watchQueries } from '../../src/queries/index.js';

const USERS = 20;
const POSTS = 300;

const scratch = await createScratchDatabase(queryLogOptions);
const db = watchQueries(scratch.db);

try {
  await writeBlog(db);
  console.log(`A blog of ${POSTS} posts by ${USERS} users, 3 comments each.\n`);

  // 1. belongs-to: one author lookup per post.
  await measure('feed, author looked up per post (N+1)', async () => {
    const feed = [];
    for (const post of await db.post.findMany()) {
      const author = await db.user.findUniqueOrThrow({ where: { id: post.authorId } });
      feed.push(`${post.title} by ${author.name}`);
    }
    return feed.length;
  });
  await measure('feed, authors loaded with include', async () => {
    const posts = await db.post.findMany({ include: { author: true } });
    return posts.map((post) => `${post.title} by ${post.author.name}`).length;
  });
  await measure('feed, Promise.all of findUnique (Prisma batches them)', async () => {
    const posts = await db.post.findMany();
    const authors = await Promise.all(posts.map((post) => db.user.findUnique({ where: { id: post.authorId } })));
    return authors.length;
  });

  // 2. a count per row, then the same numbers from _count.
  await measure('comment counts, one count per post (N+1)', async () => {
    let total = 0;
    for (const post of await db.post.findMany()) total += await db.comment.count({ where: { postId: post.id } });
    return total;
  });
  await measure('comment counts with select: { _count }', async () => {
    const posts = await db.post.findMany({ select: { title: true, _count: { select: { comments: true } } } });
    return posts.reduce((sum, post) => sum + post._count.comments, 0);
  });

  // 3. Reading in batches (find_in_batches) is the fix, not an N+1: the helper leaves it alone.
  await measure('all posts, 50 at a time after the last id (find_in_batches)', async () => {
    let read = 0;
    let lastId = 0;
    for (;;) {
      const batch = await db.post.findMany({ where: { id: { gt: lastId } }, orderBy: { id: 'asc' }, take: 50 });
      read += batch.length;
      if (batch.length < 50) return read;
      lastId = batch.at(-1)!.id;
    }
  });

  // 4. A query budget, as a test would state it.
  try {
    await expectQueries({ atMost: 2 }, async () => {
      for (const post of await db.post.findMany({ take: 5 })) await db.user.findUnique({ where: { id: post.authorId } });
    });
  } catch (error) {
    console.log(`expectQueries({ atMost: 2 }) on a loop of 5 posts fails with:\n${(error as Error).message.split('\n').slice(0, 3).join('\n')}\n`);
  }
} finally {
  await scratch.dispose();
}

/** Runs `block` in a collecting scope and prints its statement count, time and first problem. */
async function measure(title: string, block: () => Promise<number>): Promise<void> {
  const started = performance.now();
  const { value, report } = await runQueryScope(block, { mode: 'collect', label: title });
  const elapsed = performance.now() - started;
  const count = report.statements.length;
  console.log(`${title}\n  ${count} ${count === 1 ? "statement" : "statements"}, ${elapsed.toFixed(1)} ms (result: ${value})`);
  const [problem] = report.problems;
  console.log(problem ? `${formatProblem(problem).replace(/^/gm, '  ')}\n` : '  no problem found\n');
}

async function writeBlog(database: Database): Promise<void> {
  await database.user.createMany({
    data: Array.from({ length: USERS }, (_, n) => ({ name: `Writer ${n + 1}`, email: `writer${n + 1}@example.com` })),
  });
  const userIds = (await database.user.findMany({ select: { id: true } })).map((user) => user.id);
  await database.post.createMany({
    data: Array.from({ length: POSTS }, (_, n) => ({ title: `Post ${n + 1}`, body: 'Text', authorId: userIds[n % USERS]! })),
  });
  const postIds = (await database.post.findMany({ select: { id: true } })).map((post) => post.id);
  await database.comment.createMany({
    data: postIds.flatMap((postId, n) =>
      [0, 1, 2].map((c) => ({ postId, body: `Comment ${c + 1}`, authorId: userIds[(n + c + 1) % USERS]! })),
    ),
  });
}
