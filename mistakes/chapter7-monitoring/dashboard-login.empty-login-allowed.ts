// Mistake: accepts an empty password at set-up (an unset environment variable), leaving the dashboard open to anyone who sends "admin:"
import { createHash, timingSafeEqual } from 'node:crypto';
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
  const expected = sha256(`${login.user}:${login.password}`);
  return (req, res, next) => {
    const [scheme, encoded] = (req.headers.authorization ?? '').split(' ');
    const given = scheme?.toLowerCase() === 'basic' && encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
    // Hashing first gives two buffers of the same length, which timingSafeEqual requires.
    if (given && timingSafeEqual(sha256(given), expected)) {
      next();
      return;
    }
    res.status(401).set('WWW-Authenticate', 'Basic realm="Queues"').send('Authentication required');
  };
}

/**
 * Sidekiq 8.1's CSRF rule: GET, HEAD, OPTIONS and TRACE pass; any other method passes only with
 * the header `Sec-Fetch-Site: same-origin` and gets 403 otherwise (also when the header is missing).
 */
export function sameOriginOnly(): RequestHandler {
  const safe = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);
  return (req, res, next) => {
    if (safe.has(req.method) || req.get('Sec-Fetch-Site') === 'same-origin') {
      next();
      return;
    }
    res.status(403).send('Forbidden');
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
