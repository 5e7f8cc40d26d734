import { describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE_URL, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('uses the embedded defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      redisUrl: undefined,
      databaseUrl: DEFAULT_DATABASE_URL,
      port: 3000,
      concurrency: 5,
      shutdownTimeoutMs: 25_000,
      redisDataDir: '.data/redis',
      allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
      demoJobWorkMs: 0,
    });
  });

  it('reads REDIS_URL, DATABASE_URL, PORT and WORKER_CONCURRENCY', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://cache:6380/1',
      DATABASE_URL: 'postgresql://app@db/workbook',
      PORT: '8080',
      WORKER_CONCURRENCY: '10',
    });
    expect(config).toMatchObject({ redisUrl: 'redis://cache:6380/1', databaseUrl: 'postgresql://app@db/workbook', port: 8080, concurrency: 10 });
  });

  it('reads SHUTDOWN_TIMEOUT in seconds, REDIS_DATA_DIR, ALLOWED_HOSTS and DEMO_JOB_WORK_MS', () => {
    const config = loadConfig({ SHUTDOWN_TIMEOUT: '8', REDIS_DATA_DIR: '/var/lib/demo', ALLOWED_HOSTS: 'demo.example.com, LOCALHOST', DEMO_JOB_WORK_MS: '0' });
    expect(config).toMatchObject({ shutdownTimeoutMs: 8000, redisDataDir: '/var/lib/demo', allowedHosts: ['demo.example.com', 'localhost'], demoJobWorkMs: 0 });
  });

  it.each([
    [{ REDIS_URL: 'localhost:6379' }, /REDIS_URL=localhost:6379 .* redis: or rediss:/],
    [{ DATABASE_URL: 'mysql://db/app' }, /DATABASE_URL=mysql:\/\/db\/app/],
    [{ WORKER_CONCURRENCY: 'five' }, /WORKER_CONCURRENCY=five must be a whole number/],
    [{ PORT: '0' }, /PORT=0 must be a whole number of 1 or more/],
    [{ PORT: '0x10' }, /PORT=0x10 must be a whole number of 1 or more/],
    [{ SHUTDOWN_TIMEOUT: '2.5' }, /SHUTDOWN_TIMEOUT=2.5 must be a whole number/],
    [{ ALLOWED_HOSTS: 'http://demo.example.com' }, /ALLOWED_HOSTS=.*is not a host name/],
    [{ DEMO_JOB_WORK_MS: '-1' }, /DEMO_JOB_WORK_MS=-1 must be a whole number of 0 or more/],
  ])('names the variable when %o cannot be used', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
