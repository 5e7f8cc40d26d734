/**
 * Crawls the built docs site as a reader clicks through it: every internal link and `#anchor`
 * of every page must land on a page that exists and on an element with that id. A link to a raw
 * `.md` file, where the site renders documents, is broken too. (Links to `src/` files land on
 * their API pages; an example's or exercise's `.ts` has no page, and is copied for reading.) `npm run verify` runs it after
 * the docs build; `tsx scripts/site-links.ts [docs/site]` runs it alone.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Every `.html` file under `dir`. */
function pages(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? pages(path) : entry.name.endsWith('.html') ? [path] : [];
  });
}

/** The broken links of the site in `site`, one line each: the page, the link, and what is wrong. */
export function brokenLinks(site: string): string[] {
  const ids = new Map<string, Set<string>>();
  const idsOf = (page: string) => {
    let found = ids.get(page);
    if (!found) {
      found = new Set([...readFileSync(page, 'utf8').matchAll(/\s(?:id|name)="([^"]+)"/g)].map((m) => m[1]!));
      ids.set(page, found);
    }
    return found;
  };
  const problems: string[] = [];
  for (const page of pages(site)) {
    const html = readFileSync(page, 'utf8');
    const name = relative(site, page);
    for (const [, raw] of html.matchAll(/\shref="([^"]*)"/g)) {
      const href = decodeEntities(raw!);
      if (href === '' || /^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith('//')) continue;
      const [path = '', anchor] = href.split('#');
      const target = path === '' ? resolve(page) : resolve(dirname(page), decodeURIComponent(path));
      if (!target.startsWith(resolve(site))) {
        problems.push(`${name}: ${href} leaves the site`);
      } else if (!existsSync(target) || statSync(target).isDirectory()) {
        problems.push(`${name}: ${href} lands on no page`);
      } else if (target.endsWith('.md')) {
        // Documents are rendered; a raw one means it is missing from docs/typedoc.json's projectDocuments.
        problems.push(`${name}: ${href} lands on a raw .md file, not its rendered page`);
      } else if (anchor && target.endsWith('.html') && !idsOf(target).has(decodeURIComponent(anchor))) {
        problems.push(`${name}: ${href} names no #${anchor} on ${relative(site, target)}`);
      }
    }
  }
  return [...new Set(problems)];
}

function decodeEntities(text: string): string {
  return text.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const site = process.argv[2] ?? 'docs/site';
  const problems = brokenLinks(site);
  for (const problem of problems) console.log(problem);
  console.log(`${pages(site).length} pages crawled: ${problems.length === 0 ? 'no broken link' : `${problems.length} broken links`}`);
  process.exit(problems.length === 0 ? 0 : 1);
}
