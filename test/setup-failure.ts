/**
 * Why a run's shared servers could not start, passed from global-setup.ts to the hint reporter.
 * Vitest reports a global set-up error only after the reporters have finished, so without this
 * the reporter would see no test files and say that no exercise matches. Both run in vitest's
 * main process, but load this module separately: the value lives on `globalThis`.
 */
const FAILURE: unique symbol = Symbol.for('workbook.setupFailure');
type Holder = typeof globalThis & { [FAILURE]?: string };

/** Records the error that stopped global set-up. */
export function recordSetupFailure(error: unknown): void {
  (globalThis as Holder)[FAILURE] = error instanceof Error ? error.message : String(error);
}

/** The recorded set-up error's message, once, or `undefined`. */
export function takeSetupFailure(): string | undefined {
  const holder = globalThis as Holder;
  const message = holder[FAILURE];
  delete holder[FAILURE];
  return message;
}
