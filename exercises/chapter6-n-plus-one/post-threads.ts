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
  // TODO(chapter 6): three N+1s hide here: the post's author, the post's comments (has-many), and each
  // comment's author (nested). Load the whole tree in one Prisma call.
  const threads: Thread[] = [];
  for (const post of await db.post.findMany({ orderBy: { id: 'asc' } })) {
    const author = await db.user.findUniqueOrThrow({ where: { id: post.authorId } });
    const comments = [];
    for (const comment of await db.comment.findMany({ where: { postId: post.id }, orderBy: { id: 'asc' } })) {
      const commenter = await db.user.findUniqueOrThrow({ where: { id: comment.authorId } });
      comments.push({ body: comment.body, author: commenter.name });
    }
    threads.push({ title: post.title, author: author.name, comments });
  }
  return threads;
}
