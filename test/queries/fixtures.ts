/**
 * A small blog for the helper's tests: users who write posts that carry comments.
 */
import type { Database } from '../../src/db/client.js';

/** What {@link seedBlog} wrote. */
export interface Blog {
  userIds: number[];
  postIds: number[];
}

/** Writes `posts` posts (authors taken in turn from 3 users), each with `commentsPerPost` comments. */
export async function seedBlog(db: Database, { posts = 5, commentsPerPost = 2 } = {}): Promise<Blog> {
  const userIds: number[] = [];
  for (let u = 1; u <= 3; u++) {
    userIds.push((await db.user.create({ data: { email: `writer${u}@example.com`, name: `Writer ${u}` } })).id);
  }
  const postIds: number[] = [];
  for (let p = 0; p < posts; p++) {
    const post = await db.post.create({
      data: {
        title: `Post ${p + 1}`,
        body: 'Text',
        authorId: userIds[p % userIds.length]!,
        comments: {
          create: Array.from({ length: commentsPerPost }, (_, c) => ({
            body: `Comment ${c + 1}`,
            authorId: userIds[(p + c + 1) % userIds.length]!,
          })),
        },
      },
    });
    postIds.push(post.id);
  }
  return { userIds, postIds };
}

/** Writes `count` products in one category; resolves to their ids, in id order. */
export async function seedProducts(db: Database, count: number): Promise<number[]> {
  const category = await db.category.create({ data: { name: 'Books' } });
  await db.product.createMany({
    data: Array.from({ length: count }, (_, n) => ({ name: `Book ${n + 1}`, priceCents: 1000 + n, categoryId: category.id })),
  });
  return (await db.product.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((p) => p.id);
}

/**
 * A meeting point for `parties` concurrent callers: each `arrive()` resolves once all of them have
 * arrived, so their next statements start in the same tick — the case where Prisma merges
 * `findUnique` calls of different requests or jobs into one statement.
 */
export function barrier(parties: number): { arrive(): Promise<void> } {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    arrive() {
      arrived += 1;
      if (arrived === parties) open();
      return opened;
    },
  };
}
