import { describe, expect, it } from 'vitest';
import { assertJobData } from '../src/jobs/job-data.js';

class Money {
  constructor(readonly cents: number) {}
}

describe('assertJobData', () => {
  it('accepts plain JSON: ids, strings, numbers, booleans, null, arrays and plain objects', () => {
    expect(() => assertJobData({ userId: 7, tags: ['a'], flags: { urgent: true }, note: null })).not.toThrow();
  });

  it.each([
    ['a Date', { user: { createdAt: new Date() } }, /data\.user\.createdAt is a Date/],
    ['a class instance', { price: new Money(5) }, /data\.price is a Money/],
    ['a Map', { seen: new Map() }, /data\.seen is a Map/],
    ['undefined', { userId: undefined }, /data\.userId is undefined, which JSON drops/],
    ['a function', { callback: () => 1 }, /data\.callback is a function/],
    ['a bigint', { id: 10n }, /data\.id is a bigint/],
    ['NaN', { total: Number.NaN }, /data\.total is NaN/],
  ])('rejects %s and says to pass ids', (_what, data, message) => {
    expect(() => assertJobData(data)).toThrow(message);
    expect(() => assertJobData(data)).toThrow(/pass ids/);
  });

  it('rejects a circular structure instead of overflowing the stack', () => {
    const node: Record<string, unknown> = {};
    node.self = node;
    expect(() => assertJobData(node)).toThrow(/data\.self is a circular reference/);
  });

  it('rejects a record as Prisma returns it, because of its Date fields', () => {
    const user = { id: 1, email: 'ada@example.com', createdAt: new Date() };
    expect(() => assertJobData({ user })).toThrow(/data\.user\.createdAt is a Date/);
  });
});
