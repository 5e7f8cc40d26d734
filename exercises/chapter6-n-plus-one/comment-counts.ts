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
  // TODO(chapter 6): one COUNT query per post is an N+1 too. Ask Prisma for the count in the same query
  // as the posts.
  const posts = await db.post.findMany({ orderBy: { id: 'asc' } });
  const result: PostWithCount[] = [];
  for (const post of posts) {
    result.push({ title: post.title, comments: await db.comment.count({ where: { postId: post.id } }) });
  }
  return result;
}
