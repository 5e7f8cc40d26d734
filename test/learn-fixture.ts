/**
 * A tiny made-up workbook in a temporary folder, for the tests of `npm run learn`'s catalogue,
 * progress and reset: the layout of the real one (exercises/, solutions/, tutorials/, HINTS.md)
 * with files whose content the test chooses.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { onTestFinished } from 'vitest';

/** Makes a workbook folder with `files` (path → content); removed when the calling test ends. */
export function fixtureWorkbook(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'learn-fixture-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  writeFiles(root, files);
  return root;
}

/** Writes `files` (path → content) under `root`. */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

/** Commits everything in `root` as a new git repository's first commit. */
export function commitAll(root: string): void {
  const git = (...args: string[]) => {
    const result = spawnSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], { cwd: root, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  };
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'fixture');
}

/** Files of a two-chapter workbook: chapter 1 with `first` and `second` (HINTS.md order), chapter 2 with `third`. */
export const TWO_CHAPTERS: Record<string, string> = {
  'exercises/chapter1-basics/HINTS.md': '# Hints\n\n## first\nStart here.\n\n## second\nThen this.\n',
  'exercises/chapter1-basics/first.ts': 'export const first = 0;\n',
  'exercises/chapter1-basics/first.test.ts': '// test of first\n',
  'exercises/chapter1-basics/second.ts': 'export const second = 0;\n',
  'exercises/chapter1-basics/second.test.ts': '// test of second\n',
  'solutions/chapter1-basics/first.ts': 'export const first = 1;\n',
  'solutions/chapter1-basics/second.ts': 'export const second = 2;\n',
  'exercises/chapter2-more/HINTS.md': '# Hints\n\n## third\nLast one.\n',
  'exercises/chapter2-more/third.ts': 'export const third = 0;\n',
  'exercises/chapter2-more/third.test.ts': '// test of third\n',
  'solutions/chapter2-more/third.ts': 'export const third = 3;\n',
  'tutorials/01-basics/README.md': '---\ntitle: "1. The basics"\n---\n# Chapter 1\n',
  'tutorials/02-more/README.md': '---\ntitle: "2. More"\n---\n# Chapter 2\n',
};

/** A stand-in for stdin (answers given up front) and stdout (text collected), for commands that ask. */
export function terminal(answers = '') {
  const input = new PassThrough();
  input.end(answers);
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return {
    input: input as unknown as NodeJS.ReadStream,
    output: output as unknown as NodeJS.WriteStream,
    text: () => text,
  };
}

/** How long one `npm run learn` command may take: each starts vitest and its globalSetup, seconds on a busy machine. */
export const SLOW = 120_000;

/** `npm run learn` in the workbook copy at `root`, with plain (uncoloured) output and stdin from `input`. */
export function runLearn(root: string, args: string[], input = '', extraEnv: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: '', INIT_CWD: root, ...extraEnv };
  delete env.FORCE_COLOR;
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/learn.ts', ...args], {
    cwd: root,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (input) child.stdin.write(input);
  return {
    child,
    output: () => output,
    /** Resolves with the exit code and everything printed; kills the child if it takes longer than `ms`. */
    async finished(ms = SLOW) {
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      const code = await exit;
      clearTimeout(timer);
      return { code, output };
    },
    /** Resolves once the output matches `pattern` (counting from `from`), or rejects after `ms`. */
    waitFor(pattern: RegExp, from = 0, ms = SLOW) {
      return new Promise<number>((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(output.slice(from));
          if (match) return done(() => resolve(from + match.index + match[0].length));
          if (child.exitCode !== null) return done(() => reject(new Error(`exited ${child.exitCode} before ${pattern}:\n${output}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no ${pattern} within ${ms} ms:\n${output}`))), ms);
        const done = (settle: () => void) => {
          clearTimeout(timer);
          child.stdout.off('data', check);
          child.off('exit', check);
          settle();
        };
        child.stdout.on('data', check);
        child.on('exit', check);
        check();
      });
    },
  };
}
