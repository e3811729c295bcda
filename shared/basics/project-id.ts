/**
 * The Google Cloud project named by the environment: `GOOGLE_CLOUD_PROJECT`, else
 * `GCLOUD_PROJECT` (older runtimes); a blank value counts as unset. The one place this is decided,
 * for the functions, the CLI and the agent-side clients.
 */
export function projectIdOf(env: { GOOGLE_CLOUD_PROJECT?: string; GCLOUD_PROJECT?: string } = process.env): string | undefined {
  return env.GOOGLE_CLOUD_PROJECT?.trim() || env.GCLOUD_PROJECT?.trim() || undefined;
}
