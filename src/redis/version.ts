/**
 * The oldest Redis the workbook runs on, and the check both ways of getting a Redis make.
 *
 * BullMQ refuses Redis below 5.0 and recommends 6.2; the workbook needs 7.0, because chapter 5's
 * counters set their expiry with `PEXPIRE … NX`, new in Redis 7.0. An older server would fail
 * later, in the middle of a chapter, with an error about the wrong number of arguments.
 *
 * @module Redis/Version check
 */

/** The oldest Redis version the workbook supports. */
export const MINIMUM_REDIS_VERSION = '7.0.0';

/** Whether `version` (as `INFO server` or `redis-server --version` gives it) is below {@link MINIMUM_REDIS_VERSION}. */
export function isRedisTooOld(version: string): boolean {
  const parts = version.split('.').map(Number);
  if (parts.some(Number.isNaN)) return false; // a fork with its own numbering: let it try
  const minimum = MINIMUM_REDIS_VERSION.split('.').map(Number);
  for (let i = 0; i < minimum.length; i++) {
    const part = parts[i] ?? 0;
    if (part !== minimum[i]) return part < minimum[i]!;
  }
  return false;
}

/** How to get a newer Redis, said after "too old". */
export const REDIS_UPGRADE_ADVICE =
  'Install Redis 7 or later (Debian 12+/Ubuntu 24.04+: `sudo apt-get install redis-server`; macOS: `brew install redis`; ' +
  'elsewhere: https://redis.io/downloads)';
