import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo-root';
import { freePort, waitForHttpOk, waitForPort } from './ports';
import { startProcess, untilReady, type ManagedProcess } from './process-group';

/** One email as maildev's REST API (`GET /api/email`) returns it. */
export interface CaughtEmail {
  id: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  from: { address: string; name: string }[];
  to: { address: string; name: string }[];
  date: string;
}

export interface MailCatcherOptions {
  /** SMTP port; 0 or unset picks a free one. */
  smtpPort?: number;
  /** Web UI and REST API port; 0 or unset picks a free one. */
  webPort?: number;
  onLine?: (line: string) => void;
  /** Aborting it during the first start stops maildev and rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface MailCatcher {
  smtpHost: string;
  smtpPort: number;
  /** Where to read the mail in a browser. */
  webUrl: string;
  /** Environment that points the alert senders at it. */
  smtpEnv: NodeJS.ProcessEnv;
  /** Everything received since it (last) started, oldest first. */
  emails(): Promise<CaughtEmail[]>;
  /** Stops it: the SMTP port refuses connections until `start`. */
  stop(): Promise<void>;
  /** Starts it again on the same ports (with an empty mailbox); does nothing while it runs. */
  start(): Promise<void>;
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MILLISECONDS = 20_000;

/** maildev's CLI in the checkout's node_modules (an ESM-only package: `require.resolve` cannot find it). */
function maildevMain(): string {
  const main = join(repoRoot(), 'node_modules/maildev/dist/bin/maildev.js');
  if (!existsSync(main)) throw new Error(`maildev is not installed (${main}); run npm install, or set SMTP_HOST to use another SMTP server`);
  return main;
}

/**
 * A development SMTP server that keeps every email and shows it in a web UI (maildev, in its own
 * process group, loopback only): the local stack's alert email lands here.
 */
export async function startMailCatcher(options: MailCatcherOptions = {}): Promise<MailCatcher> {
  const smtpPort = options.smtpPort || (await freePort());
  const webPort = options.webPort || (await freePort());
  const webUrl = `http://${HOST}:${webPort}`;
  let running: ManagedProcess | undefined;

  const start = async (signal?: AbortSignal): Promise<void> => {
    if (running && running.child.exitCode === null && running.child.signalCode === null) return;
    const managed = startProcess({
      name: 'mail-catcher',
      command: process.execPath,
      args: [maildevMain(), '--smtp', String(smtpPort), '--ip', HOST, '--web', String(webPort), '--web-ip', HOST],
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      onLine: options.onLine,
    });
    running = managed;
    await untilReady(
      managed,
      (polling) =>
        Promise.all([
          waitForPort(smtpPort, HOST, START_TIMEOUT_MILLISECONDS, 'maildev SMTP', polling),
          waitForHttpOk(`${webUrl}/api/email`, START_TIMEOUT_MILLISECONDS, 'maildev', polling),
        ]),
      signal,
    );
  };
  await start(options.signal);

  return {
    smtpHost: HOST,
    smtpPort,
    webUrl,
    smtpEnv: { SMTP_HOST: HOST, SMTP_PORT: String(smtpPort), SMTP_SECURE: 'false' },
    async emails() {
      const response = await fetch(`${webUrl}/api/email`, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) throw new Error(`maildev answered ${response.status}`);
      return (await response.json()) as CaughtEmail[];
    },
    async stop() {
      await running?.stop();
    },
    start: () => start(),
  };
}
