/**
 * Not an exercise: the sample blog that chapter 6's tests write before each run.
 */
import type { Database } from '../../src/db/client.js';
import type { User } from '../../src/generated/sqlite/client.js';

/** The users `writeBlog` creates: post `n` (from 0) is by `AUTHORS[n % 4]`, its comment `c` by `AUTHORS[(n + c + 1) % 4]`. */
export const AUTHORS = ['Ada', 'Grace', 'Linus', 'Matz'] as const;

/**
 * Writes `posts` posts by 4 users (taken in turn), each with `comments(index)` comments whose
 * authors also rotate. Every 5th post is a draft (`published: false`).
 */
export async function writeBlog(
  db: Database,
  { posts = 12, comments = (index: number) => index % 4 }: { posts?: number; comments?: (index: number) => number } = {},
): Promise<void> {
  const users: User[] = [];
  for (const name of AUTHORS) {
    users.push(await db.user.create({ data: { name, email: `${name.toLowerCase()}@example.com` } }));
  }
  for (let index = 0; index < posts; index++) {
    await db.post.create({
      data: {
        title: `Post ${index + 1}`,
        body: 'Background jobs keep web requests fast.',
        published: index % 5 !== 4,
        authorId: users[index % users.length]!.id,
        comments: {
          create: Array.from({ length: comments(index) }, (_, c) => ({
            body: `Comment ${c + 1} on post ${index + 1}`,
            authorId: users[(index + c + 1) % users.length]!.id,
          })),
        },
      },
    });
  }
}
