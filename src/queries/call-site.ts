/**
 * Where in the user's code a query was started. Like Bullet, the helper keeps only the stack
 * frames of the project itself, so a report points at your loop, not at Prisma's internals.
 *
 * Taking a stack is cheap; turning it into text is not (tens of microseconds, most of it source
 * maps). So a stack is taken per call without being formatted, read back as V8's structured
 * frames only when a report needs to know whether two calls came from the same place, and turned
 * into text only for what a report prints.
 *
 * @module N+1 queries/Call sites
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
export interface StackHolder {
  /** The stack, formatted by V8 the first time it is read. */
  stack?: unknown;
}

const structured = (_error: unknown, frames: NodeJS.CallSite[]) => frames;

/**
 * A call site read lazily from a captured stack. {@link position} tells call sites apart without
 * formatting anything, and looks at V8's frames only as far as it has to; {@link frames} formats
 * only the project's frames, once.
 */
export class StackCallSite implements CallSite {
  #holder: StackHolder | undefined;
  #reason: string | undefined;
  /** V8's structured frames, once read; `undefined` before, or when the stack came as text. */
  #raw: NodeJS.CallSite[] | undefined;
  #scanned = 0;
  #syncDepth = -1;
  #project: NodeJS.CallSite[] = [];
  #positions: string[] = [];
  #text: string[] | undefined;

  /** Wraps a stack holder; `reason` is what to say when it holds no project frame. */
  constructor(holder: StackHolder | undefined, reason?: string) {
    this.#holder = holder;
    this.#reason = reason;
  }

  /**
   * The position of the `index`-th project frame as V8 knows it (before source maps), innermost
   * first: equal for calls made from the same place. `undefined` past the last project frame.
   */
  position(index: number): string | undefined {
    this.#read();
    if (!this.#raw) return this.#text![index];
    this.#scan(() => this.#positions.length > index);
    return this.#positions[index];
  }

  /** How many project frames there are (at most 5). */
  get depth(): number {
    this.#read();
    if (!this.#raw) return this.#text!.length;
    this.#scan(() => false);
    return this.#project.length;
  }

  /**
   * How many project frames belong to functions running synchronously at the call. Above them V8
   * lists the async functions awaiting them — except on the first pass of a loop that has not
   * awaited yet, where it lists the synchronous callers instead, at other positions.
   */
  get syncDepth(): number {
    this.#read();
    if (!this.#raw) return 1;
    this.#scan(() => this.#syncDepth !== -1);
    return this.#syncDepth === -1 ? this.#project.length : this.#syncDepth;
  }

  get frames(): readonly string[] {
    if (this.#text === undefined) {
      this.#read();
      if (this.#raw) {
        this.#scan(() => false);
        this.#text = formatCallSites(this.#project);
      }
    }
    return this.#text!;
  }

  get unavailable(): string | undefined {
    if (this.frames.length > 0) return undefined;
    return this.#reason ?? 'no frame of the call is in the project: it started in node_modules or in Node itself';
  }

  /** Classifies V8's frames one by one until `done()` (or the end, or {@link MAX_FRAMES} project frames). */
  #scan(done: () => boolean): void {
    const raw = this.#raw!;
    while (!done() && this.#scanned < raw.length && this.#project.length < MAX_FRAMES) {
      const site = raw[this.#scanned++]!;
      if (this.#syncDepth === -1 && site.isAsync()) this.#syncDepth = this.#project.length;
      if (!isProjectFrame(site)) continue;
      const position = `${site.getFileName()}:${site.getLineNumber()}:${site.getColumnNumber()}`;
      if (position === this.#positions.at(-1)) continue; // recursion: one frame is enough
      this.#project.push(site);
      this.#positions.push(position);
    }
  }

  #read(): void {
    if (this.#raw !== undefined || this.#text !== undefined) return;
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
      this.#raw = stack as NodeJS.CallSite[];
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
    const innermost = innermostOf(site);
    const depth = site instanceof StackCallSite ? Math.max(1, site.syncDepth) : 1;
    const known = depthOf.get(innermost);
    if (known === undefined || depth < known) depthOf.set(innermost, depth);
  }
  return sites.map((site) => {
    const innermost = innermostOf(site);
    const depth = depthOf.get(innermost)!;
    // Most calls are keyed by their innermost frame alone: no string to build.
    if (depth === 1) return innermost;
    if (!(site instanceof StackCallSite)) return site!.frames.slice(0, depth).join('|');
    const parts = [innermost];
    for (let index = 1; index < depth; index++) {
      const position = site.position(index);
      if (position === undefined) break;
      parts.push(position);
    }
    return parts.join('|');
  });
}

function innermostOf(site: CallSite | undefined): string {
  if (!site) return '';
  return (site instanceof StackCallSite ? site.position(0) : site.frames[0]) ?? '';
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
  return site?.frames[0] ?? `(no call site: ${site?.unavailable ?? 'the helper saw the statement but not the Prisma call that sent it'})`;
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

/** Whether a file name V8 reports is in the project, remembered: a stack names the same few files again and again. */
const projectFileNames = new Map<string, boolean>();

function isProjectFile(file: string, rootPrefix: string): boolean {
  return file.startsWith(rootPrefix) && !file.includes(`${sep}node_modules${sep}`) && !file.startsWith(HELPER_DIR);
}

/** Whether a structured frame is in the project (see {@link projectFrames}). */
function isProjectFrame(site: NodeJS.CallSite, root = process.cwd()): boolean {
  const name = site.getFileName();
  if (!name) return false;
  let project = projectFileNames.get(name);
  if (project === undefined) {
    if (projectFileNames.size > 1000) projectFileNames.clear();
    project = isProjectFile(name.startsWith('file://') ? fileURLToPath(name) : name, root.endsWith(sep) ? root : root + sep);
    projectFileNames.set(name, project);
  }
  return project;
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
