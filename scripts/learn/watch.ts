/**
 * Watch mode, the default of `npm run learn`: one exercise at a time, like rustlings.
 *
 * It runs the first exercise that is not done, and vitest's own watcher reruns that exercise's
 * test whenever a file it imports is saved (the other exercises' tests are filtered out). A pass
 * says "solved — next: …" and runs the next exercise at once, so exercises solved earlier are
 * confirmed and skipped in a second. vitest, and so its globalSetup (one Redis, the template
 * database), starts once for the whole session: a rerun only pays for the test file itself.
 *
 * On a terminal, single keys drive it (raw mode, restored on the way out). Without one (a pipe,
 * an editor's task runner), the same letters are read as lines. Under CI, where no one will ever
 * save a file, it refuses and says what to run instead.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface, emitKeypressEvents, type Interface } from 'node:readline';
import { watchParent } from '../../src/process/orphan-guard.js';
import { loadCatalogue, qualifiedName, type Exercise } from './exercises.js';
import type { Progress } from './progress.js';
import { openSession, type Session } from './session.js';
import { formatVerdict, paintFor } from './short-reporter.js';
import { firstUnsolved, formatHint, formatList, nextUnsolved } from './views.js';

/** What watch mode needs. */
export interface WatchOptions {
  /** The workbook's folder. */
  root: string;
  /** The learner's progress. */
  progress: Progress;
  /** Start here instead of at the first exercise not done. */
  startAt?: Exercise;
  /** Keys or lines come from here (process.stdin). */
  input: NodeJS.ReadStream;
  /** Output goes here (process.stdout). */
  output: NodeJS.WriteStream;
}

/** The line printed after each verdict that is not a pass. */
const KEYS = 'h hint · l list · r run again · q quit';

/**
 * Runs watch mode until the learner quits, every exercise is done, or a signal arrives.
 * Resolves with the exit code once vitest and its Redis are stopped and the terminal is restored.
 */
export async function watch({ root, progress, startAt, input, output }: WatchOptions): Promise<number> {
  const paint = paintFor(output);
  const print = (text = '') => output.write(`${text}\n`);
  const terminal = Boolean(input.isTTY);
  if (!terminal && process.env.CI) {
    print('Watch mode waits for you to save files, which never happens under CI.');
    print('Run one exercise with `npm run learn -- run NAME`, or a chapter with `npm test -- chapter1`.');
    return 1;
  }

  let catalogue = loadCatalogue(root);
  let current = startAt ?? firstUnsolved(catalogue, progress);
  if (!current) {
    print(paint.good(`All ${catalogue.length} exercises are done.`) + ' `npm run learn -- list` shows them; `npm run learn -- solution NAME` compares yours with ours.');
    return 0;
  }

  let session: Session | undefined;
  let exitCode: number | undefined;
  let finished = () => {};
  const done = new Promise<void>((resolve) => (finished = resolve));
  let running = false;
  let weStartedIt = false;
  let lines: Interface | undefined;

  const position = (exercise: Exercise) => {
    const inChapter = catalogue.filter((other) => other.chapter.dir === exercise.chapter.dir);
    const doneCount = catalogue.filter((other) => progress.isDone(other)).length;
    return `chapter ${exercise.chapter.number}: ${exercise.chapter.title} · exercise ${inChapter.findIndex((other) => other.test === exercise.test) + 1} of ${inChapter.length} · ${doneCount} of ${catalogue.length} done`;
  };

  let verdicts = 0;
  const runCurrent = () => {
    if (exitCode !== undefined || !session || !current) return;
    if (!existsSync(join(root, current.test))) {
      // A `git pull` renamed or removed it while we watched: go on with what there is now.
      const gone = current;
      catalogue = loadCatalogue(root);
      current = firstUnsolved(catalogue, progress);
      if (!current) return quit(0);
      print(`${gone.test} is gone (renamed or removed by an update?); going on with ${qualifiedName(current)}.`);
    }
    weStartedIt = true;
    session.run(current).then(
      () => verdicts++,
      (error: Error) => {
        running = false;
        print(paint.bad(error.message));
        // Nothing ever ran: the set-up is broken (e.g. no Redis), and waiting for saves cannot fix it.
        if (verdicts === 0) quit(1);
      },
    );
  };

  const quit = (code: number) => {
    if (exitCode !== undefined) {
      // Asked again while closing (the keys are off by then, so a signal: a second Ctrl-C):
      // the learner wants out now. What vitest has not stopped, the orphan guard will.
      process.exit(code || 130);
    }
    exitCode = code;
    stopKeys();
    if (running) print(paint.dim('Stopping the running test…'));
    const closed = session ? session.close() : Promise.resolve();
    closed
      .catch((error: Error) => print(paint.bad(`While stopping vitest: ${error.message}`)))
      .finally(() => finished());
  };

  const onKey = (key: string) => {
    switch (key.toLowerCase()) {
      case 'q':
        return quit(0);
      case 'h':
        return print(`\n${formatHint(root, current!, paint)}\n`);
      case 'l':
        return print(`${formatList(catalogue, progress, paint, current)}\n`);
      case 'r':
      case '':
        if (running) return print(paint.dim('It is running already.'));
        return runCurrent();
      default:
        return print(paint.dim(KEYS));
    }
  };

  const keypress = (text: string | undefined, key: { ctrl?: boolean; name?: string } | undefined) => {
    if (key?.ctrl && key.name === 'c') return quit(0);
    if (key?.name === 'return') return onKey('');
    if (text && text.length === 1) onKey(text);
  };

  function startKeys() {
    if (terminal) {
      emitKeypressEvents(input);
      input.setRawMode(true);
      input.on('keypress', keypress);
      input.resume();
    } else {
      lines = createInterface({ input });
      lines.on('line', (line) => onKey(line.trim().charAt(0)));
      // The input ending (stdin was /dev/null, or a pipe closed) is not a request to stop.
    }
  }

  function stopKeys() {
    if (terminal) {
      input.off('keypress', keypress);
      input.setRawMode(false);
    }
    lines?.close();
    input.pause();
  }

  const onSignal = (signal: NodeJS.Signals) => quit(signal === 'SIGINT' ? 0 : 128 + (signal === 'SIGHUP' ? 1 : 15));
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  signals.forEach((signal) => process.on(signal, onSignal));
  // Killed parent (a closed terminal tab, an editor task stopped): stop too, and take Redis along.
  const stopWatchingParent = watchParent(() => quit(129));

  startKeys();
  print(paint.dim(`Starting vitest (once for the session) …  ${terminal ? KEYS : 'stdin is not a terminal: type h, l, r or q and Enter'}`));
  try {
    session = await openSession(root, progress, {
      watch: true,
      onForcedStop() {
        print(paint.warn('The test is still busy (an endless loop?): stopping it by force.'));
      },
      onRunStart(exercise, moduleId) {
        running = true;
        const byUs = weStartedIt;
        weStartedIt = false;
        if (moduleId !== join(root, current!.test)) return;
        // A save cleared the screen in vitest's own watch mode too; an automatic move to the next
        // exercise does not, so "solved — next" stays in view.
        if (!byUs && output.isTTY) output.write('\u001b[2J\u001b[H');
        print(`\n${paint.dim(`── ${position(current!)} ──`)}`);
        print(`${paint.bold(exercise?.name ?? moduleId)}  ${paint.dim(current!.starter)}  running…`);
      },
      onVerdict(verdict, exercise) {
        running = false;
        if (!exercise || exercise.test !== current?.test) return;
        print(formatVerdict(verdict, exercise.name, paint));
        if (!verdict.passed) {
          print(`\nEdit ${paint.bold(exercise.starter)} and save: it runs again.   ${paint.dim(KEYS)}`);
          return;
        }
        catalogue = loadCatalogue(root);
        const next = nextUnsolved(catalogue, progress, exercise);
        if (!next) {
          print(`\n${paint.good('solved')} — that was the last one: all ${catalogue.length} exercises are done. Compare yours with ours: npm run learn -- solution NAME`);
          return quit(0);
        }
        const chapterDone = catalogue.filter((other) => other.chapter.dir === exercise.chapter.dir).every((other) => progress.isDone(other));
        if (chapterDone) print(`\n${paint.good(`Chapter ${exercise.chapter.number} done.`)}`);
        if (next.chapter.dir !== exercise.chapter.dir && next.chapter.tutorial) {
          print(`Chapter ${next.chapter.number}, ${next.chapter.title}, starts with its tutorial: ${next.chapter.tutorial}`);
        }
        print(`${paint.good('solved')} — next: ${paint.bold(qualifiedName(next))} (${next.starter})`);
        current = next;
        // Not from inside the reporter: vitest finishes this run before it starts the next.
        setImmediate(runCurrent);
      },
    });
    if (exitCode === undefined) {
      // Only the current exercise's test reruns on a save, whatever else imported the file.
      session.vitest.onFilterWatchedSpecification((spec) => current !== undefined && spec.moduleId === join(root, current.test));
      runCurrent();
    } else {
      await session.close();
    }
  } catch (error) {
    print(paint.bad(`Could not start vitest: ${(error as Error).message}`));
    quit(1);
  }

  await done;
  stopWatchingParent();
  signals.forEach((signal) => process.off(signal, onSignal));
  return exitCode ?? 0;
}
