/**
 * Whether the express middleware and the BullMQ wrapper report queries by default: in
 * development and tests, not in production — as Bullet is enabled per environment in Rails.
 *
 * @module N+1 queries/On by default
 */

/**
 * `true` unless `NODE_ENV` is `production`. The express middleware and the BullMQ wrapper use it
 * when their `enabled` option is not given; switched off, they open no scope and cost nothing.
 */
export function reportingByDefault(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NODE_ENV !== 'production';
}
