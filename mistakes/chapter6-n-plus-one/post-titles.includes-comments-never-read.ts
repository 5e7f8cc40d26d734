// Mistake: copies the threads page's include (author and comments) for a page that shows no comment: over-eager loading
import type { Database } from '../../src/db/client.js';

/** A line of the archive page: a post title and its author. */
export interface TitleLine {
  title: string;
  author: string;
}

/** The archive: every post, oldest first, title and author name only. */
export async function listTitles(db: Database): Promise<TitleLine[]> {
  const posts = await db.post.findMany({
    orderBy: { id: 'asc' },
    include: { author: true, comments: true },
  });
  return posts.map((post) => ({ title: post.title, author: post.author.name }));
}
