import { describe, expect, it } from 'vitest';
import { brokenLinks } from '../scripts/site-links.js';
import { fixtureWorkbook } from './learn-fixture.js';

describe('the docs site crawler', () => {
  it('passes links that land, and names the page and link of each that does not', () => {
    const site = fixtureWorkbook({
      'index.html': '<a href="documents/one.html#why">ok</a> <a href="#top">ok</a> <a href="https://example.com/x">out</a><h1 id="top">x</h1>',
      'documents/one.html':
        '<h2 id="why">Why</h2> <a href="../index.html">ok</a> <a href="two.html">gone</a> <a href="../index.html#nowhere">no anchor</a> <a href="../media/README.md">raw</a> <a href="../media/example.ts">source</a>',
      'media/README.md': '# raw',
      'media/example.ts': 'export {};',
    });
    expect(brokenLinks(site).sort()).toEqual([
      'documents/one.html: ../index.html#nowhere names no #nowhere on index.html',
      'documents/one.html: ../media/README.md lands on a raw .md file, not its rendered page',
      'documents/one.html: two.html lands on no page',
    ]);
  });
});
