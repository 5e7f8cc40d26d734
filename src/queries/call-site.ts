/**
 * Where in the user's code a query was started. Like Bullet, the helper keeps only the stack
 * frames of the project itself, so a report points at your loop, not at Prisma's internals.
 *
 * Taking a stack is cheap; turning it into text is not (tens of microseconds, most of it source
 * maps). So a stack is taken per call without being formatted, read back as V8's structured
 * frames only when a report needs to know whether two calls came from the same place, and turned
 * into text only for what a report prints.
 *
 * @module
 */
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A stack captured when a Prisma method was called. `frames` is computed when first read.
 */
export interface CallSite {
  /** The project's frames, innermost first, as `path:line:column (function)` relative to the project root (at most 5). */
  readonly frames: readonly string[];
  /** Why `frames` is empty, when it is: said in a report instead of a call site. */
  readonly unavailable?: string;
}

const HELPER_DIR = fileURLToPath(new URL('.', import.meta.url));
const MAX_FRAMES = 5;

/** Something V8 attached a stack to: an `Error`, or an object passed to `Error.captureStackTrace`. */
interface StackHolder {
  stack?: unknown;
}

const structured = (_error: unknown, frames: NodeJS.CallSite[]) => frames;

/**
 * A call site read lazily from a captured stack. {@link positions} tells call sites apart without
 * formatting anything; {@link frames} formats only the project's frames, once.
 */
export class StackCallSite implements CallSite {
  #holder: StackHolder | undefined;
  #reason: string | undefined;
  #callSites: NodeJS.CallSite[] | undefined;
  #syncDepth = 1;
  #positions: string[] | undefined;
  #text: string[] | undefined;

  /** Wraps a stack holder; `reason` is what to say when it holds no project frame. */
  constructor(holder: StackHolder | undefined, reason?: string) {
    this.#holder = holder;
    this.#reason = reason;
  }

  /**
   * The project frames' positions as V8 knows them (before source maps), innermost first: equal
   * for calls made from the same place.
   */
  get positions(): readonly string[] {
    if (this.#positions === undefined) {
      this.#read();
      this.#positions = this.#callSites
        ? this.#callSites.map((site) => `${site.getFileName()}:${site.getLineNumber()}:${site.getColumnNumber()}`)
        : this.#text!;
    }
    return this.#positions;
  }

  /**
   * How many of {@link positions} belong to functions running synchronously at the call. Above
   * them V8 lists the async functions awaiting them — except on the first pass of a loop that has
   * not awaited yet, where it lists the synchronous callers instead, at other positions.
   */
  get syncDepth(): number {
    this.#read();
    return this.#syncDepth;
  }

  get frames(): readonly string[] {
    if (this.#text === undefined) {
      this.#read();
      if (this.#text === undefined) this.#text = formatCallSites(this.#callSites!);
    }
    return this.#text;
  }

  get unavailable(): string | undefined {
    if (this.frames.length > 0) return undefined;
    return this.#reason ?? 'no frame of the call is in the project: it started in node_modules or in Node itself';
  }

  #read(): void {
    if (this.#callSites !== undefined || this.#text !== undefined) return;
    const holder = this.#holder;
    this.#holder = undefined;
    if (!holder) {
      this.#text = [];
      return;
    }
    const previous = Error.prepareStackTrace;
    let stack: unknown;
    Error.prepareStackTrace = structured;
    try {
      stack = holder.stack;
    } finally {
      Error.prepareStackTrace = previous;
    }
    if (Array.isArray(stack)) {
      const { kept, syncDepth } = projectCallSites(stack as NodeJS.CallSite[]);
      this.#callSites = kept;
      this.#syncDepth = syncDepth;
      // The holder may be Prisma's own call-site error, which Prisma reads if the request fails
      // later: leave it no stack rather than an array it cannot parse.
      try {
        holder.stack = undefined;
      } catch {
        // a frozen holder keeps its frames; nothing reads them as text any more
      }
    } else {
      // Someone formatted the stack before us (Prisma does when a request fails): parse the text.
      this.#text = projectFrames(typeof stack === 'string' ? stack : '');
    }
  }
}

/**
 * The key that tells apart the places calls were made from, given all the call sites of one
 * statement shape: the innermost frame, plus the functions that called it synchronously, as deep
 * as every call made from that same innermost frame goes. So a helper called from two loops
 * gives two keys, and the first pass of a loop (called synchronously) the same key as the rest.
 */
export function callSiteKeys(sites: readonly (CallSite | undefined)[]): string[] {
  const depthOf = new Map<string, number>();
  for (const site of sites) {
    const innermost = positionsOf(site)[0] ?? '';
    const depth = site instanceof StackCallSite ? Math.max(1, site.syncDepth) : 1;
    depthOf.set(innermost, Math.min(depthOf.get(innermost) ?? depth, depth));
  }
  return sites.map((site) => {
    const positions = positionsOf(site);
    return positions.slice(0, depthOf.get(positions[0] ?? '') ?? 1).join('|');
  });
}

function positionsOf(site: CallSite | undefined): readonly string[] {
  if (!site) return [];
  return site instanceof StackCallSite ? site.positions : site.frames;
}

/**
 * Captures the stack of the current call, leaving out `skip` and everything it called. Nothing is
 * formatted until a report reads the frames.
 *
 * @param skip the helper function whose caller is the call site
 */
export function captureCallSite(skip: Function): CallSite {
  const holder: StackHolder = {};
  Error.captureStackTrace(holder, skip);
  return new StackCallSite(holder);
}

/** The first project frame, or why there is none, in brackets. */
export function describeCallSite(site: CallSite | undefined): string {
  return site?.frames[0] ?? `(no call site: ${site?.unavailable ?? 'the statement was not sent through a client wired by watchQueries()'})`;
}

/**
 * Keeps the lines of a V8 stack that point into the project (under the current folder), drops
 * `node_modules`, Node's internals and this helper, and shortens paths to project-relative ones.
 * A frame repeated back to back (recursion) is kept once.
 */
export function projectFrames(stack: string, root = process.cwd()): string[] {
  const rootPrefix = root.endsWith(sep) ? root : root + sep;
  const frames: string[] = [];
  for (const line of stack.split('\n').slice(1)) {
    const match = /^\s*at (?:(.*?) \()?(.+?):(\d+):(\d+)\)?$/.exec(line);
    if (!match) continue;
    const [, fn, rawFile = '', row, column] = match;
    const file = rawFile.startsWith('file://') ? fileURLToPath(rawFile) : rawFile.replace(/^async /, '');
    if (!isProjectFile(file, rootPrefix)) continue;
    const where = `${relative(root, file)}:${row}:${column}`;
    const frame = fn ? `${where} (${fn.replace(/^async /, '')})` : where;
    if (frames.at(-1) !== frame) frames.push(frame);
    if (frames.length === MAX_FRAMES) break;
  }
  return frames;
}

function isProjectFile(file: string, rootPrefix: string): boolean {
  return file.startsWith(rootPrefix) && !file.includes(`${sep}node_modules${sep}`) && !file.startsWith(HELPER_DIR);
}

/**
 * The project's frames among V8's structured ones (recursion collapsed), at most {@link MAX_FRAMES},
 * and how many of them come before the first async frame.
 */
function projectCallSites(callSites: readonly NodeJS.CallSite[], root = process.cwd()): { kept: NodeJS.CallSite[]; syncDepth: number } {
  const rootPrefix = root.endsWith(sep) ? root : root + sep;
  const kept: NodeJS.CallSite[] = [];
  let syncDepth = -1;
  let previous = '';
  for (const site of callSites) {
    if (syncDepth === -1 && site.isAsync()) syncDepth = kept.length;
    const name = site.getFileName();
    if (!name) continue;
    const file = name.startsWith('file://') ? fileURLToPath(name) : name;
    if (!isProjectFile(file, rootPrefix)) continue;
    const position = `${name}:${site.getLineNumber()}:${site.getColumnNumber()}`;
    if (position === previous) continue;
    previous = position;
    kept.push(site);
    if (kept.length === MAX_FRAMES) break;
  }
  return { kept, syncDepth: syncDepth === -1 ? kept.length : syncDepth };
}

/**
 * Formats frames the way this process formats any stack (with source maps, under tsx or vitest),
 * by handing them to the installed `Error.prepareStackTrace`, then keeps the project's lines.
 */
function formatCallSites(callSites: NodeJS.CallSite[]): string[] {
  if (callSites.length === 0) return [];
  const format = Error.prepareStackTrace;
  let text: unknown;
  if (typeof format === 'function' && format !== structured) {
    try {
      text = format(new Error('call site'), callSites);
    } catch {
      text = undefined;
    }
  }
  if (typeof text !== 'string') text = ['Error: call site', ...callSites.map((site) => `    at ${String(site)}`)].join('\n');
  return projectFrames(text as string);
}
