import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { POSTGRES_SCHEMA_FILE, SQLITE_SCHEMA_FILE, staleClientReason } from '../scripts/prisma-schemas.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A checkout holding this workbook's schema and, when `generated`, the copy `npm install` writes. */
function checkout({ generated }: { generated: boolean }): string {
  const root = mkdtempSync(join(tmpdir(), 'prisma-schemas-'));
  folders.push(root);
  mkdirSync(join(root, 'prisma'));
  cpSync(SQLITE_SCHEMA_FILE, join(root, SQLITE_SCHEMA_FILE));
  if (generated) {
    mkdirSync(join(root, 'src/generated'), { recursive: true });
    cpSync(POSTGRES_SCHEMA_FILE, join(root, POSTGRES_SCHEMA_FILE));
  }
  return root;
}

describe('staleClientReason', () => {
  it('finds this checkout’s clients generated from its schema', () => {
    expect(staleClientReason()).toBeUndefined();
  });

  it('says to run npm install when the schema has changed since the clients were generated', () => {
    const root = checkout({ generated: true });
    writeFileSync(join(root, SQLITE_SCHEMA_FILE), 'model Coupon {\n  id Int @id\n}\n', { flag: 'a' });
    expect(staleClientReason(root)).toMatch(/npm install/);
  });

  it('says to run npm install when the clients were never generated', () => {
    expect(staleClientReason(checkout({ generated: false }))).toMatch(/npm install/);
  });
});
