/**
 * Reading a `DATABASE_URL`: which database it names, and how to show it in a message.
 *
 * Kept apart from the Prisma client so that code which only looks at a URL (the migrations, the
 * test set-up) does not pay for loading Prisma.
 *
 * @module Database/Database URL
 */

/** `true` for `postgres://` and `postgresql://` URLs. */
export function isPostgresUrl(databaseUrl: string): boolean {
  return /^postgres(ql)?:/i.test(databaseUrl);
}

/** The file path inside a `file:` URL, resolved against the current folder by SQLite. */
export function sqlitePath(databaseUrl: string): string {
  if (!databaseUrl.startsWith('file:')) {
    throw new Error(`DATABASE_URL=${databaseUrl} is neither a file: URL (SQLite) nor a postgres:// URL`);
  }
  return databaseUrl.slice('file:'.length).replace(/^\/\/(?=\/)/, '');
}

/** Hides the password of a database URL in messages. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
