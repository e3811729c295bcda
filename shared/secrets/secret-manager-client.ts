import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { localEndpointOptions } from '../clients/local-endpoint';

/**
 * The Secret Manager client; `GOVERNOR_SECRET_MANAGER_ENDPOINT` (host:port, plaintext) points it
 * at the local stack's in-process server instead of Google.
 */
export function secretManagerClient(projectId: string, env: NodeJS.ProcessEnv = process.env): SecretManagerServiceClient {
  const endpoint = env.GOVERNOR_SECRET_MANAGER_ENDPOINT;
  if (!endpoint) return new SecretManagerServiceClient({ projectId });
  return new SecretManagerServiceClient({ ...localEndpointOptions(endpoint), projectId });
}

export function secretName(projectId: string, secret: string): string {
  return `projects/${projectId}/secrets/${secret}`;
}

export function versionName(projectId: string, secret: string, version: number | 'latest'): string {
  return `${secretName(projectId, secret)}/versions/${version}`;
}

/** The version number at the end of a version's resource name. */
export function versionNumberOf(name: string | null | undefined): number {
  const n = Number(/\/versions\/(\d+)$/.exec(name ?? '')?.[1]);
  if (!Number.isInteger(n)) throw new Error(`not a version name: ${name}`);
  return n;
}
