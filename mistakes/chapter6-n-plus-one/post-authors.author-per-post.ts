// Mistake: loads the posts, then each author with its own findUnique in a loop: the N+1 Bullet exists for
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
  const posts = await db.post.findMany({ where: { published: true }, orderBy: { id: 'asc' } });
  const feed: FeedLine[] = [];
  for (const post of posts) {
    const author = await db.user.findUniqueOrThrow({ where: { id: post.authorId } });
    feed.push({ title: post.title, author: author.name });
  }
  return feed;
}
