/**
 * Support windows the infra tests hold Governor's deployment to, as the vendors publish them.
 * A date here passing makes CI fail: that is the point — move to the next major before it does.
 */

export interface SupportWindow {
  /** From this day (UTC) the version is deprecated: no fixes, and Google warns on deploy. */
  deprecated: string;
  /** From this day new deployments (and updates) are refused. */
  decommissioned: string;
}

/**
 * Cloud Run functions Node.js runtimes (https://cloud.google.com/run/docs/runtimes/nodejs,
 * "Supported Node.js runtimes and base images").
 */
export const CLOUD_RUN_NODE_RUNTIMES: Readonly<Record<string, SupportWindow>> = {
  nodejs18: { deprecated: '2025-04-30', decommissioned: '2025-10-30' },
  nodejs20: { deprecated: '2026-04-30', decommissioned: '2026-10-30' },
  nodejs22: { deprecated: '2027-04-30', decommissioned: '2027-10-31' },
  nodejs24: { deprecated: '2028-04-30', decommissioned: '2028-10-31' },
};

/** Node.js release lines' end of life (nodejs.org release schedule): the official images stop being patched. */
export const NODE_END_OF_LIFE: Readonly<Record<number, string>> = {
  18: '2025-04-30',
  20: '2026-04-30',
  22: '2027-04-30',
  24: '2028-04-30',
};

/** Whether a Cloud Run functions runtime is still supported (not yet deprecated) on `day`. */
export function runtimeSupported(runtime: string, day: Date): boolean {
  const window = CLOUD_RUN_NODE_RUNTIMES[runtime];
  return window !== undefined && day < new Date(`${window.deprecated}T00:00:00Z`);
}

/** Whether a Node.js major is still maintained on `day`. */
export function nodeMajorSupported(major: number, day: Date): boolean {
  const endOfLife = NODE_END_OF_LIFE[major];
  return endOfLife !== undefined && day < new Date(`${endOfLife}T00:00:00Z`);
}
