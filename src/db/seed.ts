/**
 * Sample data for the examples and the demo app: small, fixed, and the same on every machine.
 *
 * @module Database/Sample data
 */
import type { Database } from './client.js';
import type { User } from '../generated/sqlite/client.js';

/** How much {@link seedSampleData} writes. */
export const SAMPLE_SIZES = { users: 5, postsPerUser: 4, commentsPerPost: 3, categories: 3, productsPerCategory: 8 };

/** Fills an empty database with users, tasks, posts with comments, categories with products and orders. */
export async function seedSampleData(db: Database): Promise<void> {
  const users: User[] = [];
  for (let u = 1; u <= SAMPLE_SIZES.users; u++) {
    users.push(await db.user.create({ data: { email: `user${u}@example.com`, name: `User ${u}` } }));
  }
  for (const [index, user] of users.entries()) {
    await db.task.create({ data: { title: `Write chapter ${index + 1}`, userId: user.id } });
    for (let p = 1; p <= SAMPLE_SIZES.postsPerUser; p++) {
      await db.post.create({
        data: {
          title: `${user.name} on jobs, part ${p}`,
          body: 'Background jobs keep web requests fast.',
          authorId: user.id,
          comments: {
            create: Array.from({ length: SAMPLE_SIZES.commentsPerPost }, (_, c) => ({
              body: `Comment ${c + 1}`,
              authorId: users[(index + c + 1) % users.length]!.id,
            })),
          },
        },
      });
    }
  }
  for (let c = 1; c <= SAMPLE_SIZES.categories; c++) {
    await db.category.create({
      data: {
        name: `Category ${c}`,
        products: {
          create: Array.from({ length: SAMPLE_SIZES.productsPerCategory }, (_, p) => ({
            name: `Product ${c}.${p + 1}`,
            priceCents: 500 + 125 * p,
          })),
        },
      },
    });
  }
  await db.order.createMany({
    data: [1, 2, 3].map((n) => ({ reference: `ORDER-${n}`, totalCents: 2500 * n })),
  });
}
