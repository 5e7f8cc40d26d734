// Mistake: orders the posts but not the nested comments, so a thread's comments come in whatever order the database reads them
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
      comments: { include: { author: true } },
    },
  });
  return posts.map((post) => ({
    title: post.title,
    author: post.author.name,
    comments: post.comments.map((comment) => ({ body: comment.body, author: comment.author.name })),
  }));
}
