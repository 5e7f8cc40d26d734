import { describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE_URL, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('uses the embedded defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({ redisUrl: undefined, databaseUrl: DEFAULT_DATABASE_URL, port: 3000, concurrency: 5 });
  });

  it('reads REDIS_URL, DATABASE_URL, PORT and WORKER_CONCURRENCY', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://cache:6380/1',
      DATABASE_URL: 'postgresql://app@db/workbook',
      PORT: '8080',
      WORKER_CONCURRENCY: '10',
    });
    expect(config).toEqual({ redisUrl: 'redis://cache:6380/1', databaseUrl: 'postgresql://app@db/workbook', port: 8080, concurrency: 10 });
  });

  it.each([
    [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL=localhost:6379 .* redis: or rediss:/],
    [{ DATABASE_URL: 'mysql://db/app' }, /DATABASE_URL=mysql:\/\/db\/app/],
    [{ WORKER_CONCURRENCY: 'five' }, /WORKER_CONCURRENCY=five must be a whole number/],
    [{ PORT: '0' }, /PORT=0 must be a whole number of 1 or more/],
  ])('names the variable when %o cannot be used', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
