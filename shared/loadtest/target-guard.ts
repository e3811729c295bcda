import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export class RemoteTargetError extends Error {
  override readonly name = 'RemoteTargetError';
}

/** 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * Refuses a host outside the loopback range unless the operator said `--allow-remote`: a load
 * test aimed at someone else's server by a typo is an attack. Names are resolved and every
 * address must be loopback (a name that resolves to a public address is refused too).
 */
export async function assertLoopbackOrAllowed(host: string, allowRemote: boolean, what = 'target'): Promise<void> {
  if (allowRemote) return;
  const bare = host.replace(/^\[|\]$/g, '');
  const addresses = isIP(bare) ? [bare] : (await lookup(bare, { all: true }).catch(() => [])).map((a) => a.address);
  if (addresses.length === 0) throw new RemoteTargetError(`${what} host "${host}" does not resolve`);
  const remote = addresses.filter((a) => !isLoopbackAddress(a));
  if (remote.length > 0) {
    throw new RemoteTargetError(`${what} "${host}" is not a loopback address (${remote.join(', ')}); pass --allow-remote to load-test it`);
  }
}
