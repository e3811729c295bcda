import type { Request, Response } from '@google-cloud/functions-framework';
import type { Logger } from '../../shared/logging/logger';
import { securityHeaders } from '../../shared/security/security-headers';
import type { OperatorDeps } from '../common/operator/operator-actions';
import { accessRefusal, type AccessMode } from './access-policy';
import { ACTION_PATHS, runAction, type ActionPath } from './action-routes';
import { CSRF_COOKIE, CSRF_HEADER, cookieValue, type CsrfTokens } from './csrf-tokens';
import type { DashboardOptions } from './dashboard-options';
import type { LiveState } from './live-state';
import { dashboardPage } from './page';
import { drillDownScopeOf } from './scope-sections';
import type { Asset } from './static-assets';

export interface DashboardHandlerDeps {
  access: AccessMode;
  csrf: CsrfTokens;
  state: LiveState;
  assets: ReadonlyMap<string, Asset>;
  operator: (actor: string) => OperatorDeps;
  options: Required<DashboardOptions>;
  projectId: string;
  /** Who acts when a request carries no identity (the local stack): `$USER`. */
  localUser: string;
  log: Logger;
}

/** helmet's headers from shared/security, computed once, on every response. */
const HEADERS = securityHeaders();

function send(res: Response, status: number, body: string | Buffer, contentType: string): void {
  res.status(status).set('Content-Type', contentType).send(body);
}

const json = (res: Response, status: number, body: unknown) => send(res, status, JSON.stringify(body), 'application/json; charset=utf-8');

/**
 * Who the operator is, for the records an action leaves: IAP's user header, else the email in the
 * identity token Cloud Run has already verified before admitting the request, else the local user.
 */
function actorOf(req: Request, localUser: string): string {
  const iap = req.get('x-goog-authenticated-user-email');
  if (iap) return `dashboard:${iap.replace(/^accounts\.google\.com:/, '')}`;
  const bearer = /^Bearer ([\w-]+)\.([\w-]+)\.[\w-]+$/.exec(req.get('authorization') ?? '');
  if (bearer) {
    try {
      const email = (JSON.parse(Buffer.from(bearer[2] as string, 'base64url').toString('utf8')) as { email?: unknown }).email;
      if (typeof email === 'string') return `dashboard:${email}`;
    } catch {
      // Not a JWT payload: fall through to the local name.
    }
  }
  return `dashboard:${localUser}`;
}

/** The window a viewer asked for, if it is one the dashboard offers. */
function windowOf(req: Request, options: Required<DashboardOptions>): string | undefined {
  const asked = typeof req.query.window === 'string' ? req.query.window : options.defaultWindow;
  return options.windows.includes(asked) ? asked : undefined;
}

/** Routes: the page, its assets, the view as JSON and as server-sent events, and the POST actions. */
export function createDashboardHandler(deps: DashboardHandlerDeps): (req: Request, res: Response) => Promise<void> {
  const { options } = deps;
  return async (req, res) => {
    res.set(HEADERS);
    const refusal = accessRefusal(deps.access, { remoteAddress: req.socket.remoteAddress, host: req.get('host') });
    if (refusal) return send(res, 403, `${refusal}\n`, 'text/plain; charset=utf-8');

    const asset = deps.assets.get(req.path);
    if (req.method === 'GET' && asset) {
      res.set('Cache-Control', 'no-cache');
      return send(res, 200, asset.body, asset.contentType);
    }
    if (req.method === 'GET' && req.path === '/') {
      // Keep a valid token across reloads (other tabs hold it); a missing or forged one is replaced.
      const existing = cookieValue(req.get('cookie'), CSRF_COOKIE);
      const token = deps.csrf.isSigned(existing) ? (existing as string) : deps.csrf.issue();
      const secure = req.protocol === 'https' || req.get('x-forwarded-proto') === 'https' ? '; Secure' : '';
      res.set('Set-Cookie', `${CSRF_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict${secure}`);
      res.set('Cache-Control', 'no-store');
      return send(res, 200, dashboardPage({ csrfToken: token, projectId: deps.projectId, windows: options.windows, defaultWindow: options.defaultWindow }), 'text/html; charset=utf-8');
    }
    if (req.method === 'GET' && (req.path === '/api/state' || req.path === '/events')) {
      const window = windowOf(req, options);
      if (!window) return json(res, 400, { error: `window must be one of ${options.windows.join(', ')}` });
      let scope: string | undefined;
      try {
        scope = typeof req.query.scope === 'string' && req.query.scope !== '' ? drillDownScopeOf(req.query.scope) : undefined;
      } catch (error) {
        return json(res, 400, { error: (error as Error).message });
      }
      res.set('Cache-Control', 'no-store');
      if (req.path === '/api/state') return json(res, 200, await deps.state.view(window, scope));
      return streamEvents(req, res, deps, window, scope);
    }
    if (ACTION_PATHS.includes(req.path as ActionPath)) {
      if (req.method !== 'POST') return json(res, 405, { error: `${req.path} changes state: use POST with the page's CSRF token` });
      return handleAction(req, res, deps, req.path as ActionPath);
    }
    return json(res, 404, { error: `no such page: ${req.method} ${req.path}` });
  };
}

async function handleAction(req: Request, res: Response, deps: DashboardHandlerDeps, path: ActionPath): Promise<void> {
  res.set('Cache-Control', 'no-store');
  // A browser says where a request comes from; another site's page is refused before the token is looked at.
  const site = req.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return json(res, 403, { error: `cross-site request refused (${site})` });
  const csrfRefusal = deps.csrf.refusal(cookieValue(req.get('cookie'), CSRF_COOKIE), req.get(CSRF_HEADER));
  if (csrfRefusal) return json(res, 403, { error: csrfRefusal });
  if (!req.is('application/json')) return json(res, 415, { error: 'send the action as application/json' });
  const actor = actorOf(req, deps.localUser);
  const result = await runAction(path, req.body, deps.operator(actor));
  deps.log.info({ action: path, actor, status: result.status, ...('error' in result ? { error: result.error } : {}) }, 'dashboard action');
  if (result.status === 200) await deps.state.refreshNow();
  return json(res, result.status, 'error' in result ? { error: result.error } : { message: result.message });
}

function streamEvents(req: Request, res: Response, deps: DashboardHandlerDeps, window: string, scope: string | undefined): Promise<void> {
  res.status(200).set({ 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.flushHeaders();
  // Reconnect soon after a drop (an instance restart, the request timeout on Cloud Run).
  res.write('retry: 3000\n\n');
  const unsubscribe = deps.state.subscribe(window, (view) => {
    res.write(`event: view\ndata: ${JSON.stringify(view)}\n\n`);
  }, scope);
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), deps.options.keepAliveMilliseconds);
  return new Promise((resolve) => {
    req.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
      resolve();
    });
  });
}
