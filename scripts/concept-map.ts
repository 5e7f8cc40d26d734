/**
 * The concept map (`docs/rails-to-typescript.md`) against the chapters: every idiom a chapter
 * cites, e.g. "(R1)" or "(K1, K7)", has its row, and every link of the map lands on a file that
 * exists and, with an `#anchor`, on a heading of it. `npm run verify` fails on what this finds.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The map's path in the workbook. */
export const CONCEPT_MAP = 'docs/rails-to-typescript.md';

/** An idiom id as rails-idioms.md numbers them: S1, J9, C5, R1, K8, N6, M6, B4. */
const IDIOM = /[SJCRKNMB]\d{1,2}/;
const CITATION = new RegExp(`\\((${IDIOM.source}(?:,\\s*${IDIOM.source})*)\\)`, 'g');

/** The idioms each chapter tutorial cites, id to the tutorials citing it. */
export function citedIdioms(root = '.'): Map<string, string[]> {
  const cited = new Map<string, string[]>();
  for (const dir of readdirSync(join(root, 'tutorials')).filter((d) => /^\d+-/.test(d)).sort()) {
    const tutorial = `tutorials/${dir}/README.md`;
    if (!existsSync(join(root, tutorial))) continue;
    for (const match of readFileSync(join(root, tutorial), 'utf8').matchAll(CITATION)) {
      for (const id of match[1]!.split(/,\s*/)) {
        const where = cited.get(id) ?? [];
        if (!where.includes(tutorial)) where.push(tutorial);
        cited.set(id, where);
      }
    }
  }
  return cited;
}

/**
 * A heading's anchor as TypeDoc makes it (its `Slugger`, on the heading's rendered text less its
 * inline code), so a link checked here works on the site: "Later: `perform_in` is a delay" is
 * `later-is-a-delay`.
 */
export function headingSlug(heading: string): string {
  const slug = heading
    .replace(/`[^`]*`/g, '')
    .trim()
    .replace(/[\u2000-\u206F\u2E00-\u2E7F\\'!"#$%&()*+,./:;<=>?@[\]^`{|}~]/g, '')
    .replace(/\s/g, '-')
    .replace(/--+/, '-');
  return (slug || '_').toLowerCase();
}

/** Problems with the concept map: idioms cited but missing, and links that do not resolve. Empty when it is sound. */
export function checkConceptMap(root = '.'): string[] {
  const file = join(root, CONCEPT_MAP);
  if (!existsSync(file)) return [`${CONCEPT_MAP} is missing`];
  const text = readFileSync(file, 'utf8');
  const rows = new Map<string, string>();
  for (const line of text.split('\n')) {
    const id = new RegExp(`^\\| (${IDIOM.source}) \\|`).exec(line)?.[1];
    if (id) rows.set(id, line);
  }
  const problems: string[] = [];
  for (const [id, tutorials] of citedIdioms(root)) {
    if (!rows.has(id)) problems.push(`${CONCEPT_MAP}: no row for ${id}, which ${tutorials.join(' and ')} cites`);
  }
  for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/.test(target!)) continue;
    const [path = '', anchor] = target!.split('#');
    const landing = path ? resolve(dirname(file), path) : file;
    if (!existsSync(landing)) {
      problems.push(`${CONCEPT_MAP}: the link ${target} lands on no file`);
    } else if (anchor !== undefined) {
      const headings = [...readFileSync(landing, 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map((m) => headingSlug(m[1]!));
      if (!headings.includes(anchor)) problems.push(`${CONCEPT_MAP}: the link ${target} names no heading of ${path || CONCEPT_MAP}`);
    }
  }
  return problems;
}
