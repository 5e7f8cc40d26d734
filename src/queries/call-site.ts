/**
 * Where in the user's code a query was started. Like Bullet, the helper keeps only the stack
 * frames of the project itself, so a report points at your loop, not at Prisma's internals.
 *
 * @module
 */
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A stack captured when a Prisma method was called. Capturing is cheap; the frames are turned
 * into text only when a report needs them.
 */
export interface CallSite {
  /** The project's frames, innermost first, as `path:line:column` relative to the project root (at most 5). */
  readonly frames: readonly string[];
}

const HELPER_DIR = fileURLToPath(new URL('.', import.meta.url));

/**
 * Captures the stack of the current call, leaving out `skip` and everything it called.
 *
 * @param skip the helper function whose caller is the call site
 */
export function captureCallSite(skip: Function): CallSite {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, skip);
  let frames: string[] | undefined;
  return {
    get frames() {
      frames ??= projectFrames(holder.stack ?? '');
      return frames;
    },
  };
}

/** The first project frame, or a note that there is none (e.g. a call from a dependency). */
export function describeCallSite(site: CallSite | undefined): string {
  return site?.frames[0] ?? '(no call site in the project: the query started outside it or in an interactive transaction)';
}

/**
 * Keeps the lines of a V8 stack that point into the project (under the current folder), drops
 * `node_modules`, Node's internals and this helper, and shortens paths to project-relative ones.
 */
export function projectFrames(stack: string, root = process.cwd()): string[] {
  const rootPrefix = root.endsWith(sep) ? root : root + sep;
  const frames: string[] = [];
  for (const line of stack.split('\n').slice(1)) {
    const match = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (!match) continue;
    const [, fn, rawFile = '', row, column] = match;
    const file = rawFile.startsWith('file://') ? fileURLToPath(rawFile) : rawFile.replace(/^async /, '');
    if (!file.startsWith(rootPrefix) || file.includes(`${sep}node_modules${sep}`) || file.startsWith(HELPER_DIR)) continue;
    const where = `${relative(root, file)}:${row}:${column}`;
    frames.push(fn ? `${where} (${fn.replace(/^async /, '')})` : where);
    if (frames.length === 5) break;
  }
  return frames;
}
