import type { Database } from '../../src/db/client.js';

/** A line of the archive page: a post title and its author. */
export interface TitleLine {
  title: string;
  author: string;
}

/** The archive: every post, oldest first, title and author name only. */
export async function listTitles(db: Database): Promise<TitleLine[]> {
  // TODO(chapter 6): this loads every comment (and every comment's author) only to throw them away:
  // over-eager loading. Load only what the page shows.
  const posts = await db.post.findMany({
    orderBy: { id: 'asc' },
    include: { author: true, comments: { include: { author: true } } },
  });
  return posts.map((post) => ({ title: post.title, author: post.author.name }));
}
