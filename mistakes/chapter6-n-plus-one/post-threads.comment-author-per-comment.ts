// Mistake: includes the comments but looks up each comment's author one by one: a nested N+1
import type { Database } from '../../src/db/client.js';

/** A post as its page shows it: title, author, and the comments with their authors. */
export interface Thread {
  title: string;
  author: string;
  comments: { body: string; author: string }[];
}

/**
 * Every post (drafts too), oldest first, with its author and its comments (oldest first), each
 * comment with its own author's name. In Rails:
 * `Post.includes(:user, comments: :user)`.
 */
export async function listThreads(db: Database): Promise<Thread[]> {
  const posts = await db.post.findMany({
    orderBy: { id: 'asc' },
    include: {
      author: true,
      comments: { orderBy: { id: 'asc' } },
    },
  });
  const threads: Thread[] = [];
  for (const post of posts) {
    const comments = [];
    for (const comment of post.comments) {
      const author = await db.user.findUniqueOrThrow({ where: { id: comment.authorId } });
      comments.push({ body: comment.body, author: author.name });
    }
    threads.push({ title: post.title, author: post.author.name, comments });
  }
  return threads;
}
