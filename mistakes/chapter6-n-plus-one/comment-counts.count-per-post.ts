// Mistake: counts each post's comments with its own comment.count, like post.comments.count in a view
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
    orderBy: { id: 'asc' },
    select: { id: true, title: true },
  });
  const counts: PostWithCount[] = [];
  for (const post of posts) counts.push({ title: post.title, comments: await db.comment.count({ where: { postId: post.id } }) });
  return counts;
}
