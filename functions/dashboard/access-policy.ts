import { isIP } from 'node:net';

/**
 * Who may reach the dashboard. `iam`: deployed, where Cloud Run admits only callers holding the
 * invoker role (infra/dashboard.tf) before a request gets here. `loopback`: the local stack, whose
 * functions-framework listens on every interface — so the handler itself refuses other peers, and
 * Host names other than loopback ones (a DNS-rebinding page would send its own). The mode is
 * GOVERNOR_DASHBOARD_ACCESS, else `iam` on Cloud Run and `loopback` elsewhere (common/settings.ts).
 */
export const ACCESS_MODES = ['loopback', 'iam'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const bare = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1';
}

/** The host name of a Host header (`127.0.0.1:8189`, `[::1]:80`, `localhost`). */
function hostnameOf(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const i = host.lastIndexOf(':');
  return i >= 0 && host.indexOf(':') === i ? host.slice(0, i) : host;
}

export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = hostnameOf(host.trim().toLowerCase());
  return name === 'localhost' || name.endsWith('.localhost') || isLoopbackAddress(name);
}

/** Why a request is refused under `mode`, or undefined when it may proceed. */
export function accessRefusal(mode: AccessMode, request: { remoteAddress: string | undefined; host: string | undefined }): string | undefined {
  if (mode === 'iam') return undefined;
  if (!isLoopbackAddress(request.remoteAddress)) return `the local dashboard answers loopback clients only (this one is ${request.remoteAddress ?? 'unknown'})`;
  if (!isLoopbackHost(request.host)) return `the local dashboard answers only to loopback host names (localhost, 127.0.0.1), not "${request.host ?? ''}"`;
  return undefined;
}
