/**
 * The recorded mistakes: the wrong solutions learners really write, one
 * `mistakes/<chapter>/<exercise>.<mistake>.patch` each. A patch is a unified diff against the
 * exercise's reference solution, headed by what is wrong and the tutorial section that explains
 * it, so a reader sees the mistake in its few changed lines:
 *
 * ```
 * Mistake: looks the email up before creating the user, …
 * Explained in: tutorials/02-first-job/README.md, "Enqueue: pass ids, after the write"
 *
 * --- solutions/chapter2-first-job/register-user.ts
 * +++ register-user.checks-then-inserts
 * @@ -40,7 +40,10 @@
 * …
 * ```
 *
 * `npm run verify` builds each wrong file from the solution and its patch (jsdiff's `applyPatch`)
 * into `.mistakes/`, where the vitest config's `WORKBOOK_TARGET=mistakes` finds it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { applyPatch, formatPatch, structuredPatch } from 'diff';
import { chapterNumber } from '../workbook-layout.js';

/** Where the wrong files are built: at the same depth as `solutions/<chapter>/`, so relative imports resolve alike. */
export const BUILT_MISTAKES_DIR = '.mistakes';

/** One recorded mistake. Paths are relative to the workbook's root and use `/`. */
export interface RecordedMistake {
  /** `chapter2-first-job/register-user.checks-then-inserts`: its name in verify, the catalogue and `npm run learn`. */
  id: string;
  /** `chapter2-first-job/register-user`: the exercise it is a wrong solution of. */
  exercise: string;
  /** `chapter2-first-job/register-user.ts`: the starter it stands in for. */
  starter: string;
  /** `mistakes/chapter2-first-job/register-user.checks-then-inserts.patch`. */
  patchFile: string;
  /** `solutions/chapter2-first-job/register-user.ts`: what the patch applies to. */
  solution: string;
  /** `chapter2-first-job/register-user.checks-then-inserts.ts`: the wrong file, under {@link BUILT_MISTAKES_DIR}. */
  built: string;
  /** What is wrong, and why it matters: the patch's `Mistake:` sentence. */
  sentence: string;
  /** Where the chapter explains it. */
  explainedIn: { tutorial: string; section: string };
  /** The diff: from its `---` line on. */
  diff: string;
}

/** A patch that no longer applies to its solution (the solution changed since it was recorded). */
export class OutdatedMistakeError extends Error {
  override name = 'OutdatedMistakeError';
}

/**
 * Every `mistakes/<chapter>/<exercise>.<mistake>.patch`, in chapter order, and the problems with
 * them: a badly named file, no such exercise, a missing or unreadable header, a section the
 * tutorial does not have.
 */
export function listMistakes(root = '.'): { mistakes: RecordedMistake[]; problems: string[] } {
  const mistakes: RecordedMistake[] = [];
  const problems: string[] = [];
  const dir = join(root, 'mistakes');
  if (!existsSync(dir)) return { mistakes, problems };
  const chapters = readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  for (const chapter of chapters.map((entry) => entry.name).sort((a, b) => chapterNumber(a) - chapterNumber(b))) {
    for (const file of readdirSync(join(dir, chapter)).sort()) {
      const patchFile = `mistakes/${chapter}/${file}`;
      const match = /^([a-z0-9-]+)\.([a-z0-9-]+)\.patch$/.exec(file);
      if (!match) {
        problems.push(`${patchFile}: name it <exercise>.<mistake-in-kebab-case>.patch`);
        continue;
      }
      const [, name, slug] = match;
      if (!existsSync(join(root, 'exercises', chapter, `${name}.test.ts`))) problems.push(`${patchFile}: no exercise exercises/${chapter}/${name}.test.ts`);
      const parsed = parsePatchFile(readFileSync(join(root, patchFile), 'utf8'));
      if (typeof parsed === 'string') {
        problems.push(`${patchFile}: ${parsed}`);
        continue;
      }
      const sectionProblem = checkSection(root, parsed.explainedIn);
      if (sectionProblem) problems.push(`${patchFile}: ${sectionProblem}`);
      mistakes.push({
        id: `${chapter}/${name}.${slug}`,
        exercise: `${chapter}/${name}`,
        starter: `${chapter}/${name}.ts`,
        patchFile,
        solution: `solutions/${chapter}/${name}.ts`,
        built: `${chapter}/${name}.${slug}.ts`,
        ...parsed,
      });
    }
  }
  return { mistakes, problems };
}

/** The wrong file: the solution with the patch applied. Throws {@link OutdatedMistakeError} when it no longer applies. */
export function buildMistake(root: string, mistake: RecordedMistake): string {
  const solution = readFileSync(join(root, mistake.solution), 'utf8');
  const wrong = applyPatch(solution, mistake.diff);
  if (wrong === false) {
    throw new OutdatedMistakeError(
      `${mistake.patchFile} ("${mistake.sentence}") no longer applies to ${mistake.solution}: the solution changed. ` +
        `Review the mistake against the new solution and record it again (npm run mistake -- new, see CONTRIBUTING.md).`,
    );
  }
  return wrong;
}

/** Builds every mistake into {@link BUILT_MISTAKES_DIR} (emptied first); returns the problems (patches that no longer apply). */
export function writeBuiltMistakes(root: string, mistakes: RecordedMistake[]): string[] {
  rmSync(join(root, BUILT_MISTAKES_DIR), { recursive: true, force: true });
  const problems: string[] = [];
  for (const mistake of mistakes) {
    try {
      const file = join(root, BUILT_MISTAKES_DIR, mistake.built);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, buildMistake(root, mistake));
    } catch (error) {
      if (!(error instanceof OutdatedMistakeError)) throw error;
      problems.push(error.message);
    }
  }
  return problems;
}

/** What a patch file says of itself. */
interface PatchHeader {
  sentence: string;
  explainedIn: { tutorial: string; section: string };
  diff: string;
}

/** The text of a patch file for `wrong`, a copy of `solutionText` with the mistake in it. */
export function formatMistakePatch(
  header: Omit<PatchHeader, 'diff'>,
  solutionPath: string,
  solutionText: string,
  mistakeName: string,
  wrong: string,
): string {
  const patch = structuredPatch(solutionPath, mistakeName, solutionText, wrong, undefined, undefined, { context: 3 });
  if (patch.hunks.length === 0) throw new Error(`${mistakeName} is the same as ${solutionPath}: a mistake changes something.`);
  const diff = formatPatch(patch, { includeIndex: false, includeUnderline: false, includeFileHeaders: true });
  const { tutorial, section } = header.explainedIn;
  return `${wrapSentence(`Mistake: ${header.sentence}`)}\nExplained in: ${tutorial}, "${section}"\n\n${diff}`;
}

/** Parses a patch file's header and diff; a string says what is wrong with it. */
function parsePatchFile(text: string): PatchHeader | string {
  const start = text.search(/^--- /m);
  if (start < 0) return 'no diff in it (a `--- solutions/…` line and its hunks)';
  const header = text.slice(0, start).trim().split('\n');
  const explained = header.findIndex((line) => line.startsWith('Explained in:'));
  const sentence = header
    .slice(0, explained < 0 ? undefined : explained)
    .map((line) => line.trim())
    .join(' ');
  if (!sentence.startsWith('Mistake: ') || sentence.length < 'Mistake: '.length + 10) {
    return 'it must start with `Mistake: <what is wrong, and why it matters>`';
  }
  const where = /^Explained in: (\S+\.md), "(.+)"$/.exec(header[explained] ?? '');
  if (!where) return 'its header needs `Explained in: tutorials/NN-topic/README.md, "<section heading>"`';
  return { sentence: sentence.slice('Mistake: '.length), explainedIn: { tutorial: where[1]!, section: where[2]! }, diff: text.slice(start) };
}

/** `undefined` when `tutorial` has a `##`/`###` heading named `section`, else what is wrong. */
function checkSection(root: string, { tutorial, section }: PatchHeader['explainedIn']): string | undefined {
  if (!existsSync(join(root, tutorial))) return `its "Explained in" names ${tutorial}, which does not exist`;
  const headings = [...readFileSync(join(root, tutorial), 'utf8').matchAll(/^#{2,3} (.+)$/gm)].map((m) => m[1]!.trim());
  return headings.includes(section) ? undefined : `${tutorial} has no section "${section}" (its "Explained in")`;
}

/** The sentence on lines of at most 100 characters, continuation lines indented. */
function wrapSentence(text: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > 100) {
      lines.push(line);
      line = `  ${word}`;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line].join('\n');
}
