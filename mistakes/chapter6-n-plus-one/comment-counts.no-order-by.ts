// Mistake: drops the orderBy, as if posts came back oldest first by themselves
import type { Database } from '../../src/db/client.js';

/** A post title with how many comments it has. */
export interface PostWithCount {
  title: string;
  comments: number;
}

/**
 * Every post, oldest first, with its number of comments, read in one query. Rails would reach for
 * a counter cache (`belongs_to :post, counter_cache: true`); Prisma counts inside the query.
 */
export async function listCommentCounts(db: Database): Promise<PostWithCount[]> {
  const posts = await db.post.findMany({
    select: { title: true, _count: { select: { comments: true } } },
  });
  return posts.map((post) => ({ title: post.title, comments: post._count.comments }));
}
