import type { Database } from '../../src/db/client.js';

/** One line of the feed. */
export interface FeedLine {
  title: string;
  author: string;
}

/**
 * The feed: every published post, oldest first, with its author's name — like
 * `Post.published.includes(:user).map { |p| [p.title, p.user.name] }`.
 *
 * It must run the same few queries however many posts there are.
 */
export async function listFeed(db: Database): Promise<FeedLine[]> {
  // TODO(chapter 6): this loop asks the database for each post's author, one query per post (an N+1 on a
  // belongs-to relation). Load the authors together with the posts.
  const posts = await db.post.findMany({ where: { published: true }, orderBy: { id: 'asc' } });
  const feed: FeedLine[] = [];
  for (const post of posts) {
    const author = await db.user.findUniqueOrThrow({ where: { id: post.authorId } });
    feed.push({ title: post.title, author: author.name });
  }
  return feed;
}
