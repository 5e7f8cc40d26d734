/**
 * `npm run learn`: the exercises one at a time, rerun on every save, with hints, progress, reset
 * and the reference solutions. `npm run learn -- help` lists the commands; the modules are in
 * scripts/learn/.
 */
// First: on a too-old Node the native SQLite driver crashes instead of failing.
import '../src/process/node-version.js';
// Then: a folder this user cannot write is refused with a sentence, not a permission error.
import '../src/process/writable-checkout.js';
import { resolve } from 'node:path';
import { HELP, hintCommand, listCommand, mistakesCommand, resetCommand, runCommand, say, solutionCommand, type CommandContext } from './learn/commands.js';
import { loadCatalogue, resolveExercise, UsageError } from './learn/exercises.js';
import { Progress } from './learn/progress.js';
import { watch } from './learn/watch.js';

const root = resolve(import.meta.dirname, '..');
// vitest.config.ts and the layout helpers read paths relative to the workbook's folder.
process.chdir(root);
// The learner's own files are what `learn` tests, even in a shell where a maintainer left this set.
delete process.env.WORKBOOK_TARGET;

async function main(argv: string[]): Promise<number> {
  const yes = argv.includes('--yes') || argv.includes('-y');
  const [command = 'watch', name, ...extra] = argv.filter((arg) => arg !== '--yes' && arg !== '-y');
  if (['help', '--help', '-h'].includes(command)) {
    say({ output: process.stdout }, HELP);
    return 0;
  }
  const commands = ['watch', 'list', 'hint', 'run', 'solution', 'mistakes', 'reset'];
  if (!commands.includes(command)) throw new UsageError(`Unknown command "${command}".\n\n${HELP}`);
  if (extra.length > 0) throw new UsageError(`${command} takes one exercise; also got ${extra.join(' ')}.`);

  const catalogue = loadCatalogue(root);
  if (catalogue.length === 0) throw new UsageError(`No exercises found under ${root}/exercises.`);
  const context: CommandContext = {
    root,
    // npm runs scripts in the package folder; INIT_CWD is where the learner typed the command.
    cwd: process.env.INIT_CWD ?? process.cwd(),
    catalogue,
    progress: Progress.load(root, (message) => console.warn(message)),
    input: process.stdin,
    output: process.stdout,
  };
  switch (command) {
    case 'list':
      return listCommand(context);
    case 'hint':
      return hintCommand(context, name);
    case 'run':
      return runCommand(context, name);
    case 'solution':
      return solutionCommand(context, name);
    case 'mistakes':
      return mistakesCommand(context, name);
    case 'reset':
      return resetCommand(context, name, yes);
    default: {
      const startAt = name === undefined ? undefined : resolveExercise(catalogue, name, root, context.cwd).exercise;
      return watch({ root, progress: context.progress, startAt, input: process.stdin, output: process.stdout });
    }
  }
}

let code: number;
try {
  code = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(error.message);
  code = 1;
}
// Exit once output is flushed: a closed vitest can leave an idle handle behind, and watch mode
// must not outlive the learner's "q".
process.stdout.write('', () => process.exit(code));
