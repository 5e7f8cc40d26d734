import type { RequestHandler } from 'express';

/** Who may open the dashboard. */
export interface Login {
  user: string;
  password: string;
}

/**
 * Sidekiq's `Sidekiq::Web.use Rack::Auth::Basic`: express middleware that lets a request through
 * only with `Authorization: Basic <base64 of user:password>` matching `login`. Anything else gets
 * 401 with a `WWW-Authenticate: Basic realm="…"` header, so a browser asks for the login.
 * Compare in constant time, so the answer's timing gives nothing away.
 *
 * @throws Error at once when `login.user` or `login.password` is empty.
 */
export function requireLogin(login: Login): RequestHandler {
  throw new Error('TODO(chapter 7): check the Authorization header against login; 401 with WWW-Authenticate otherwise');
}

/**
 * Sidekiq 8.1's CSRF rule: GET, HEAD, OPTIONS and TRACE pass; any other method passes only with
 * the header `Sec-Fetch-Site: same-origin` and gets 403 otherwise (also when the header is missing).
 */
export function sameOriginOnly(): RequestHandler {
  throw new Error('TODO(chapter 7): let safe methods through, and other methods only with Sec-Fetch-Site: same-origin; 403 otherwise');
}
