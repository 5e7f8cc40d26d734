// Mistake: drops the orderBy, as if the table came back oldest first by itself (Rails has no default order either)
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
  // `select` with the relation: Prisma reads the posts, then all their authors in one `IN (...)` query.
  const posts = await db.post.findMany({
    where: { published: true },
    select: { title: true, author: { select: { name: true } } },
  });
  return posts.map((post) => ({ title: post.title, author: post.author.name }));
}
