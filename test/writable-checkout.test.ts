import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { checkoutWriteProblem } from '../src/process/writable-checkout.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');

describe('checkoutWriteProblem', () => {
  const workbook = mkdtempSync(join(tmpdir(), 'workbook-checkout-'));
  mkdirSync(join(workbook, 'prisma'));
  mkdirSync(join(workbook, 'exercises'));
  afterAll(() => rmSync(workbook, { recursive: true, force: true }));

  it('is silent when every folder the workbook writes can be written', () => {
    expect(checkoutWriteProblem(workbook, () => true)).toBeUndefined();
  });

  it('names the first folder that cannot be written, and how to take the checkout', () => {
    const sentence = checkoutWriteProblem(workbook, (dir) => dir !== join(workbook, 'exercises'));
    expect(sentence).toContain(`You cannot write to ${join(workbook, 'exercises')}`);
    expect(sentence).toContain(`sudo chown -R "$(whoami)" ${workbook}`);
    expect(checkoutWriteProblem(workbook, () => false)).toContain(`You cannot write to ${workbook},`);
  });

  it('ignores a folder that is not there yet', () => {
    const bare = mkdtempSync(join(tmpdir(), 'workbook-checkout-bare-'));
    try {
      expect(checkoutWriteProblem(bare, (dir) => dir === bare)).toBeUndefined();
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});

describe('every npm script a learner or maintainer starts, in a checkout they cannot write', () => {
  // Root may write anywhere, so permissions cannot stage this in the suite (.ci/run does it for
  // real, as another user). A module loaded first through NODE_OPTIONS makes the access check
  // refuse the workbook's own folder, in every Node process npm starts.
  const dir = mkdtempSync(join(tmpdir(), 'read-only-'));
  const pretend = join(dir, 'pretend-read-only.mjs');
  writeFileSync(
    pretend,
    [
      "import fs from 'node:fs';",
      "import { syncBuiltinESMExports } from 'node:module';",
      'const real = fs.accessSync;',
      `fs.accessSync = (path, mode) => { if (path === ${JSON.stringify(root)} && mode === fs.constants.W_OK) throw Object.assign(new Error('EACCES'), { code: 'EACCES' }); return real(path, mode); };`,
      'syncBuiltinESMExports();',
      '',
    ].join('\n'),
  );
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Each starts npm and then Node through tsx: seconds, not the unit tests' milliseconds.
  it.each(['learn', 'test', 'start', 'worker', 'verify', 'db:setup'])('npm run %s prints the sentence and exits 1', { timeout: 60_000 }, async (script) => {
    const result = await run('npm', ['run', '--silent', script], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: `--import=${pathToFileURL(pretend).href}` },
      timeout: 50_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.stderr).toContain(checkoutWriteProblem(root, (folder) => folder !== root));
    expect(result.code).toBe(1);
  });
});
