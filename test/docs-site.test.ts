/**
 * The docs site as a reader sees it: built from docs/typedoc.json into a temporary folder, served
 * over HTTP on a loopback port, and opened in Debian's Chromium (test/browser.ts). Each kind of
 * page renders its title, and the site's search finds a Sidekiq name and a BullMQ one.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, launchBrowser } from './browser.js';

const missing = browserMissing();
const root = join(import.meta.dirname, '..');
const tracked: { close(): Promise<unknown> }[] = [];
const env = { track: <T extends { close(): Promise<unknown> }>(resource: T) => (tracked.push(resource), resource) };
let site: string;
let base: string;
let page: Page;

beforeAll(async () => {
  if (missing) return;
  site = mkdtempSync(join(tmpdir(), 'docs-site-'));
  const built = spawnSync(process.execPath, [join(root, 'node_modules/typedoc/bin/typedoc'), '--options', 'docs/typedoc.json', '--out', site], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`the docs did not build:\n${built.stdout}${built.stderr}`);
  const server = express().use(express.static(site)).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  env.track({ close: () => new Promise((resolve) => server.close(resolve)) });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  page = await (await launchBrowser(env)).newPage();
}, 120_000);

afterAll(async () => {
  for (const resource of tracked.reverse()) await resource.close();
  if (site) rmSync(site, { recursive: true, force: true });
});

/** Opens `path` and resolves with the page's main heading. */
async function heading(path: string): Promise<string> {
  const response = await page.goto(`${base}/${path}`);
  expect(response?.status(), path).toBe(200);
  return (await page.locator('h1').first().textContent())?.trim() ?? '';
}

/** Types `text` into the site's search and resolves with the titles of the results. */
async function search(text: string): Promise<string[]> {
  await page.goto(`${base}/index.html`);
  await page.locator('#tsd-search-trigger').click();
  await page.locator('#tsd-search-input').fill(text);
  const results = page.locator('#tsd-search-results li');
  await results.first().waitFor({ timeout: 10_000 });
  return results.allTextContents();
}

describe.skipIf(missing)('the docs site in Chromium', () => {
  it('renders the front page, a chapter, the concept map and an API page with their titles', { timeout: 60_000 }, async () => {
    expect(await page.goto(`${base}/index.html`).then(() => page.title())).toMatch(/BullMQ for Rails developers/);
    expect(await heading('documents/3._Scheduling.html')).toMatch(/Scheduling/);
    expect(await heading('documents/9._Capstone.html')).toMatch(/Capstone/);
    expect(await heading('documents/Rails_to_TypeScript.html')).toMatch(/Rails to TypeScript/);
    expect(await heading('documents/Sidekiq_to_BullMQ.html')).toMatch(/Sidekiq to BullMQ/);
    expect(await heading('modules/Jobs_Sidekiq_s_retry_backoff.html')).toMatch(/Sidekiq's retry backoff/);
  });

  it('lists the API pages by concept, under names a reader understands, not file paths', { timeout: 60_000 }, async () => {
    await page.goto(`${base}/index.html`);
    const navigation = page.locator('.site-menu');
    await navigation.getByText('Worker shutdown', { exact: true }).waitFor({ state: 'attached', timeout: 10_000 });
    const entries = await navigation.locator('a, summary').allTextContents();
    expect(entries.map((entry) => entry.trim())).toEqual(expect.arrayContaining(['9. Capstone', 'Jobs', 'Worker shutdown', 'Redis', 'Local Redis Cluster']));
    expect(entries.join('\n')).not.toMatch(/worker\/shutdown|cluster\/local-cluster|retries\/sidekiq-backoff/);
  });

  it('finds perform_async and upsertJobScheduler with its search', { timeout: 60_000 }, async () => {
    expect((await search('perform_async')).join('\n')).toMatch(/first job/i);
    expect((await search('upsertJobScheduler')).join('\n')).toMatch(/Scheduling/);
  });
});
