import { z } from 'zod';
import { OptionsError } from '../contracts/validation-error';
import { ALERT_KINDS, categoryOf, severityOf, type Alert } from '../contracts/alert';
import { SEVERITIES } from '../contracts/vocabulary';

const email = z.string().regex(/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, 'an e-mail address');

export const alertRouteSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/),
  /** Empty lists match everything. */
  kinds: z.array(z.enum(ALERT_KINDS)).default([]),
  severities: z.array(z.enum(SEVERITIES)).default([]),
  /** Budget categories (or TOTAL), metric types, or `ip` / `user` for bans. */
  categories: z.array(z.string().min(1)).default([]),
  /**
   * Scoped budget and runaway alerts of these scopes only (`team:search`, `tenant:acme`, `agent:writer-1`, or
   * a kind's template `team:*`): a team's owner gets its team's alerts. Empty: no scope filter. A
   * route with scopes takes no alert without a scope.
   */
  scopes: z.array(z.string().regex(/^(fleet|(agent|team|tenant|tag|model):[^\s]+)$/, 'a scope such as team:search or team:*')).default([]),
  to: z.array(email).min(1),
});
export type AlertRoute = z.infer<typeof alertRouteSchema>;

export const alertRoutingSchema = z.strictObject({
  from: email,
  routes: z.array(alertRouteSchema).min(1),
  /** One email per route at most this often; alerts in between are sent together as a digest. */
  digestWindowSeconds: z.number().int().min(0).max(3600),
});
export type AlertRouting = z.infer<typeof alertRoutingSchema>;

/** Everything to `GOVERNOR_ALERT_EMAIL_TO` (comma-separated), at most one email a minute. */
export function defaultAlertRouting(env: NodeJS.ProcessEnv = process.env): AlertRouting {
  const to = (env.GOVERNOR_ALERT_EMAIL_TO ?? 'ops@governor.localhost').split(',').map((s) => s.trim()).filter(Boolean);
  return { from: env.GOVERNOR_ALERT_EMAIL_FROM ?? 'governor@governor.localhost', routes: [{ id: 'all', kinds: [], severities: [], categories: [], scopes: [], to }], digestWindowSeconds: 60 };
}

export function parseAlertRouting(value: unknown): AlertRouting {
  const parsed = alertRoutingSchema.safeParse(value);
  if (!parsed.success) throw OptionsError.fromZod(parsed.error);
  return parsed.data;
}

/** The routes an alert goes to (every matching route: a critical alert may page two teams). */
export function routesFor(routing: AlertRouting, alert: Alert): AlertRoute[] {
  const severity = severityOf(alert);
  const category = categoryOf(alert);
  const scope = alert.kind === 'budget' || alert.kind === 'runaway' ? alert.scope : undefined;
  return routing.routes.filter(
    (r) =>
      (r.kinds.length === 0 || r.kinds.includes(alert.kind)) &&
      (r.severities.length === 0 || r.severities.includes(severity)) &&
      (r.categories.length === 0 || r.categories.includes(category)) &&
      (r.scopes.length === 0 || (scope !== undefined && r.scopes.some((s) => s === scope || (s.endsWith(':*') && scope.startsWith(s.slice(0, -1)))))),
  );
}
