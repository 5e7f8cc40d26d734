/**
 * Locks for the queue dashboard: HTTP Basic authentication checked in constant time, Sidekiq
 * 8.1's same-origin rule for anything that changes state, and credentials read from the
 * environment (or made up at random, never a default password).
 *
 * @module Monitoring/Dashboard login
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

/** A user name and password that may open a dashboard. */
export interface Credentials {
  user: string;
  password: string;
}

/** Options of {@link requireBasicAuth}. */
export interface BasicAuthOptions {
  /** Shown by the browser's login prompt; also keeps two dashboards' logins apart. */
  realm?: string;
}

/** The shortest password {@link requireBasicAuth} and {@link dashboardCredentialsFromEnv} accept. */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * Express middleware that lets a request through only with `Authorization: Basic …` carrying
 * `credentials`; anything else gets 401 with a `WWW-Authenticate` challenge, so a browser asks
 * for a login. Mount it in front of the dashboard's router.
 *
 * @throws Error at start-up when the user name is empty or contains `:`, or the password is
 *   shorter than {@link MIN_PASSWORD_LENGTH}.
 */
export function requireBasicAuth(credentials: Credentials, { realm = 'Queue dashboard' }: BasicAuthOptions = {}): RequestHandler {
  checkCredentials(credentials, 'requireBasicAuth()');
  const expectedUser = digest(credentials.user);
  const expectedPassword = digest(credentials.password);
  const challenge = `Basic realm="${realm.replace(/["\\]/g, '')}", charset="UTF-8"`;
  return (req, res, next) => {
    const given = parseBasicAuth(req.headers.authorization);
    // Both comparisons always run, on equal-length digests, so the time taken says nothing
    // about which part was wrong or how much of it matched.
    const userMatches = timingSafeEqual(digest(given?.user ?? ''), expectedUser);
    const passwordMatches = timingSafeEqual(digest(given?.password ?? ''), expectedPassword);
    if (given && userMatches && passwordMatches) {
      next();
      return;
    }
    res.status(401).set('WWW-Authenticate', challenge).set('Cache-Control', 'no-store').type('text/plain').send('Authentication required\n');
  };
}

/**
 * Sidekiq 8.1's rule against cross-site request forgery: GET, HEAD, OPTIONS and TRACE pass;
 * any other method needs the header `Sec-Fetch-Site: same-origin`, or gets 403.
 *
 * Browsers set `Sec-Fetch-Site` themselves and pages cannot forge it. A request without it is
 * refused too (as Sidekiq does): old browsers omit it, and so do scripts. A script that really
 * means to change something sends the header itself (`curl -H 'Sec-Fetch-Site: same-origin'`),
 * which no web page can make a browser do.
 */
export function sameOriginWrites(): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method) || req.get('sec-fetch-site') === 'same-origin') {
      next();
      return;
    }
    const site = req.get('sec-fetch-site');
    res
      .status(403)
      .type('text/plain')
      .send(`Forbidden: ${req.method} needs Sec-Fetch-Site: same-origin (got ${site === undefined ? 'no Sec-Fetch-Site header' : site})\n`);
  };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** What {@link dashboardCredentialsFromEnv} found. */
export interface DashboardCredentials extends Credentials {
  /** `true` when no password was set and a random one was made for this run: print it. */
  generated: boolean;
}

/**
 * Reads `<PREFIX>_USER` and `<PREFIX>_PASSWORD` (e.g. `DASHBOARD_USER`, `DASHBOARD_PASSWORD`).
 * The user defaults to `defaultUser`; with no password set, a random one is made for this run
 * (`generated: true`), so a dashboard is never open with a password anyone could guess.
 *
 * @throws Error naming the variable when the password is too short or the user name unusable.
 */
export function dashboardCredentialsFromEnv(
  prefix: string,
  defaultUser: string,
  env: NodeJS.ProcessEnv = process.env,
): DashboardCredentials {
  const user = env[`${prefix}_USER`]?.trim() || defaultUser;
  const password = env[`${prefix}_PASSWORD`];
  if (password === undefined || password === '') {
    return { user, password: randomBytes(18).toString('base64url'), generated: true };
  }
  checkCredentials({ user, password }, `${prefix}_USER/${prefix}_PASSWORD`);
  return { user, password, generated: false };
}

function checkCredentials({ user, password }: Credentials, where: string): void {
  if (user === '' || user.includes(':')) throw new Error(`${where}: the user name must be non-empty and contain no ":"`);
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`${where}: the password must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function parseBasicAuth(header: string | undefined): Credentials | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
