import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { NODE_FLOOR, nodeVersionProblem } from '../src/process/node-version.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');

describe('nodeVersionProblem', () => {
  it('accepts 22.12 and later', () => {
    expect(['22.12.0', 'v22.23.5', '23.0.0', '24.22.3', '30.1.0'].map((version) => nodeVersionProblem(version))).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('names the version found, the one needed and how to get it below 22.12', () => {
    for (const version of ['22.11.0', '20.20.2', 'v18.20.8']) {
      const sentence = nodeVersionProblem(version);
      expect(sentence).toContain(`needs Node.js 22.12 or later and found v${version.replace(/^v/, '')}`);
      expect(sentence).toMatch(/nvm install 22.*fnm install 22.*volta install node@22.*nodejs\.org/);
    }
  });

  it('says what package.json says, and npm is told to refuse an install below it', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.engines.node).toBe(`>=${NODE_FLOOR}`);
    expect(readFileSync(join(root, '.npmrc'), 'utf8')).toMatch(/^engine-strict=true$/m);
  });
});

describe('every npm script a learner or maintainer starts, on a Node that is too old', () => {
  // The check reads process.versions.node; a module loaded first through NODE_OPTIONS makes it
  // read 22.11.0 (just below the floor) in npm and in every Node process npm starts.
  const dir = mkdtempSync(join(tmpdir(), 'old-node-'));
  const pretend = join(dir, 'pretend-22.11.mjs');
  writeFileSync(pretend, "Object.defineProperty(process.versions, 'node', { value: '22.11.0' });\n");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Each starts npm and then Node through tsx: seconds, not the unit tests' milliseconds.
  it.each(['learn', 'test', 'start', 'worker', 'verify', 'bench', 'db:setup'])('npm run %s prints the sentence and exits 1', { timeout: 60_000 }, async (script) => {
    const result = await run('npm', ['run', '--silent', script], {
      cwd: root,
      env: { ...process.env, NODE_OPTIONS: `--import=${pathToFileURL(pretend).href}` },
      timeout: 50_000,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.stderr).toContain(nodeVersionProblem('22.11.0'));
    expect(result.code).toBe(1);
  });
});
