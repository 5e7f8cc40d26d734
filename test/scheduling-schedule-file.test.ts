import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE_FILE, parseSchedule, readScheduleFile } from '../src/scheduling/schedule-file.js';

describe('parseSchedule', () => {
  it('turns each top-level key into an entry, in file order', () => {
    const entries = parseSchedule(`
daily-report:
  cron: "0 6 * * *"
  tz: Europe/London
  job: daily-report
heartbeat:
  every: 60000
  job: ping
  data: { source: schedule }
  description: proves the workers are alive
`);
    expect(entries).toEqual([
      { name: 'daily-report', cron: '0 6 * * *', tz: 'Europe/London', job: 'daily-report', data: {} },
      { name: 'heartbeat', every: 60000, job: 'ping', data: { source: 'schedule' }, description: 'proves the workers are alive' },
    ]);
  });

  it('reads an empty document as an empty schedule', () => {
    expect(parseSchedule('# nothing scheduled yet\n')).toEqual([]);
  });

  it('reports every malformed entry by name, with what to write instead', () => {
    const text = `
good:
  cron: "0 6 * * *"
  job: fine
typo:
  crom: "0 6 * * *"
  job: daily-report
both:
  cron: "* * * * *"
  every: 1000
  job: twice
zero:
  every: 0
  job: never
nojob:
  cron: "0 6 * * *"
badlist:
  cron: "0 6 * * *"
  job: listed
  data: [1, 2]
`;
    const error = captureError(() => parseSchedule(text, 'config/schedule.yml'));
    expect(error.message).toMatch(/^config\/schedule\.yml has 6 problems/);
    expect(error.message).toContain('entry "typo": unknown key "crom"');
    expect(error.message).toContain('entry "typo": needs "cron"');
    expect(error.message).toContain('entry "both": has both "cron" and "every"');
    expect(error.message).toContain('entry "zero": "every" must be a whole number of milliseconds');
    expect(error.message).toContain('entry "nojob": needs "job"');
    expect(error.message).toContain('entry "badlist": "data" must be a mapping');
    expect(error.message).not.toContain('"good"');
  });

  it('rejects a pattern YAML read as a number, and a tz on an every entry', () => {
    expect(() => parseSchedule('hourly:\n  cron: 0\n  job: tick\n')).toThrow(/entry "hourly": "cron" must be a pattern in quotes/);
    expect(() => parseSchedule('fast:\n  every: 500\n  tz: UTC\n  job: tick\n')).toThrow(/entry "fast": "tz" applies to "cron" only/);
  });

  it('tells you to quote a cron pattern that YAML took for an alias', () => {
    expect(() => parseSchedule('every-5:\n  cron: */5 * * * *\n  job: tick\n', 'x.yml')).toThrow(/x\.yml is not valid YAML \(put cron patterns in quotes/);
  });

  it('rejects names that cannot be scheduler ids, and duplicate names', () => {
    expect(() => parseSchedule('"Daily Report":\n  cron: "0 6 * * *"\n  job: r\n')).toThrow(/entry "Daily Report": the name may hold/);
    expect(() => parseSchedule('a:\n  every: 10\n  job: x\na:\n  every: 20\n  job: y\n')).toThrow(/not valid YAML.*unique/is);
  });

  it('says what the file should look like when it is not a mapping', () => {
    expect(() => parseSchedule('- daily-report\n', 'x.yml')).toThrow(/x\.yml must map entry names to entries.*not a list/);
  });
});

describe('readScheduleFile', () => {
  it('reads the schedule the workbook ships, config/schedule.yml', () => {
    const entries = readScheduleFile(DEFAULT_SCHEDULE_FILE);
    expect(entries.map((entry) => [entry.name, entry.job])).toEqual([
      ['daily-report', 'daily-report'],
      ['reindex-products', 'index-products'],
    ]);
    for (const entry of entries) expect(entry.cron).toMatch(/^\S+( \S+){4,5}$/);
  });

  it('names the file when it cannot be read or parsed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'workbook-schedule-'));
    try {
      expect(() => readScheduleFile(join(dir, 'missing.yml'))).toThrow(/Cannot read the schedule file .*missing\.yml/);
      writeFileSync(join(dir, 'broken.yml'), 'daily:\n  cron: "0 6 * * *\n');
      expect(() => readScheduleFile(join(dir, 'broken.yml'))).toThrow(/broken\.yml is not valid YAML/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function captureError(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, but none was thrown');
}
