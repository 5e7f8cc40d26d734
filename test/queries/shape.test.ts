import { describe, expect, it } from 'vitest';
import { projectFrames } from '../../src/queries/call-site.js';
import { displayShape, isTransactionControl, kindOf, shapeOf, tableOf } from '../../src/queries/statement.js';

describe('shapeOf', () => {
  it('gives statements that differ only in their data the same shape, on both dialects', () => {
    expect(shapeOf('SELECT * FROM "User" WHERE "id" = $1 LIMIT $2')).toBe(shapeOf('SELECT * FROM "User" WHERE "id" = $7 LIMIT $8'));
    expect(shapeOf("SELECT * FROM `main`.`User` WHERE `name` = 'Ada' AND age > 36")).toBe(
      shapeOf("SELECT * FROM `main`.`User` WHERE `name` = 'O''Brien' AND age > 4.5"),
    );
  });

  it('collapses IN lists and multi-row VALUES, so a batch of 3 and a batch of 300 compare equal', () => {
    expect(shapeOf('SELECT * FROM "User" WHERE "id" IN ($1,$2,$3)')).toBe('SELECT * FROM "User" WHERE "id" IN (?...)');
    expect(shapeOf('INSERT INTO "User" ("a","b") VALUES (?,?), (?,?), (?,?)')).toBe('INSERT INTO "User" ("a","b") VALUES (?,?)');
  });

  it('keeps digits that belong to identifiers', () => {
    expect(shapeOf('SELECT "aggr_selection_0_Comment"."n" FROM t1')).toBe('SELECT "aggr_selection_0_Comment"."n" FROM t1');
  });

  it('tells different statements apart', () => {
    expect(shapeOf('SELECT * FROM "User" WHERE "id" = $1')).not.toBe(shapeOf('SELECT * FROM "User" WHERE "email" = $1'));
  });
});

describe('statement details', () => {
  it('finds the table on SQLite and PostgreSQL', () => {
    expect(tableOf('SELECT `main`.`Post`.`id` FROM `main`.`Post` WHERE 1=1')).toBe('Post');
    expect(tableOf('SELECT "public"."Comment"."id" FROM "public"."Comment"')).toBe('Comment');
    expect(tableOf('INSERT INTO "public"."User" ("email") VALUES ($1)')).toBe('User');
    expect(tableOf('UPDATE `main`.`Order` SET `status` = ?')).toBe('Order');
  });

  it('classifies reads, counts, writes and transaction control', () => {
    expect(kindOf({ sql: 'SELECT COUNT(*) FROM x', operation: undefined })).toBe('count');
    expect(kindOf({ sql: 'UPDATE x SET a = ?', operation: undefined })).toBe('write');
    expect(kindOf({ sql: 'SELECT a FROM x', operation: undefined })).toBe('select');
    expect(kindOf({ sql: 'SELECT a FROM x', operation: { model: 'X', operation: 'create', callSite: { frames: [] }, transaction: undefined } })).toBe('write');
    expect(isTransactionControl('COMMIT')).toBe(true);
    expect(isTransactionControl('SELECT 1')).toBe(false);
  });

  it('shortens long column lists for display', () => {
    expect(displayShape('SELECT "public"."User"."id", "public"."User"."email", "public"."User"."name" FROM "public"."User"')).toBe(
      'SELECT … FROM User',
    );
  });
});

describe('projectFrames', () => {
  it("keeps the project's frames and drops dependencies and Node's internals", () => {
    const root = '/work/app';
    const stack = [
      'Error',
      '    at Object.findUnique (/work/app/node_modules/@prisma/client/runtime/client.js:1:2)',
      '    at listFeed (/work/app/src/feed.ts:12:30)',
      '    at async handler (file:///work/app/src/routes.ts:4:5)',
      '    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)',
      '    at /elsewhere/lib.js:1:1',
    ].join('\n');
    expect(projectFrames(stack, root)).toEqual(['src/feed.ts:12:30 (listFeed)', 'src/routes.ts:4:5 (handler)']);
  });
});
