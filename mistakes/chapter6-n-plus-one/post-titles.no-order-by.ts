// Mistake: drops the orderBy, as if posts came back oldest first by themselves
import type { Database } from '../../src/db/client.js';

/** A line of the archive page: a post title and its author. */
export interface TitleLine {
  title: string;
  author: string;
}

/** The archive: every post, oldest first, title and author name only. */
export async function listTitles(db: Database): Promise<TitleLine[]> {
  const posts = await db.post.findMany({
    select: { title: true, author: { select: { name: true } } },
  });
  return posts.map((post) => ({ title: post.title, author: post.author.name }));
}
