/**
 * `mistakes/catalogue.json`: which tests each recorded mistake fails, by full test name. The
 * learner's runs read it to recognise a known mistake from the tests that fail; `npm run verify`
 * checks that it is current, and `npm run mistake -- catalogue` writes it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MistakeProof } from './prove.js';

/** Mistake id (`chapter2-first-job/register-user.checks-then-inserts`) to the sorted full names of the tests it fails. */
export type MistakeCatalogue = Record<string, string[]>;

/** The catalogue's path in the workbook. */
export const CATALOGUE_FILE = 'mistakes/catalogue.json';

/** The command that writes the catalogue afresh. */
export const REFRESH_CATALOGUE = 'npm run mistake -- catalogue';

/** The committed catalogue; empty when there is none or it cannot be read (then nothing is recognised). */
export function readCatalogue(root = '.'): MistakeCatalogue {
  const file = join(root, CATALOGUE_FILE);
  if (!existsSync(file)) return {};
  try {
    const { mistakes } = JSON.parse(readFileSync(file, 'utf8')) as { mistakes?: MistakeCatalogue };
    return mistakes ?? {};
  } catch {
    return {};
  }
}

/** The catalogue that `proofs` make. */
export function catalogueOf(proofs: MistakeProof[]): MistakeCatalogue {
  return Object.fromEntries(proofs.map((proof) => [proof.mistake.id, proof.failing]));
}

/** Writes `catalogue` to {@link CATALOGUE_FILE}, sorted, so a refresh changes only what changed. */
export function writeCatalogue(root: string, catalogue: MistakeCatalogue): void {
  const sorted = Object.fromEntries(Object.entries(catalogue).sort(([a], [b]) => a.localeCompare(b)));
  const about = `Which tests each recorded mistake fails. Written by ${REFRESH_CATALOGUE}; npm run verify checks it.`;
  writeFileSync(join(root, CATALOGUE_FILE), `${JSON.stringify({ $comment: about, mistakes: sorted }, null, 2)}\n`);
}

/** How `recorded` differs from `observed`, one line per mistake; empty when it is current. */
export function catalogueDifferences(recorded: MistakeCatalogue, observed: MistakeCatalogue): string[] {
  const ids = [...new Set([...Object.keys(recorded), ...Object.keys(observed)])].sort();
  return ids.flatMap((id) => {
    const was = recorded[id];
    const now = observed[id];
    if (!now) return [`${id}: in the catalogue, but no such mistake is recorded`];
    if (!was) return [`${id}: not in the catalogue`];
    const gone = was.filter((name) => !now.includes(name));
    const added = now.filter((name) => !was.includes(name));
    if (gone.length === 0 && added.length === 0) return [];
    return [`${id}: ${[...added.map((n) => `now fails "${n}"`), ...gone.map((n) => `no longer fails "${n}"`)].join('; ')}`];
  });
}
