import nodemailer, { type Transporter } from 'nodemailer';
import type { SecretCache } from '../../../shared/secrets/secret-cache';
import type { SmtpSettings } from './smtp-settings';

export interface OutgoingEmail {
  from: string;
  to: readonly string[];
  subject: string;
  text: string;
  html: string;
  /** Same Message-ID for the same alerts, so a resend after a crash threads (or dedups) in mail clients. */
  messageId: string;
  headers: Record<string, string>;
}

export interface SendResult {
  messageId: string;
  accepted: string[];
  rejected: string[];
  /** Tries it took (1 = first time). */
  tries: number;
}

export interface MailerOptions {
  /** Sends tried per call before the failure is handed back (the message is then nacked). */
  maxTries?: number;
  /** Wait before the 2nd try; doubles for each further one. */
  firstBackoffMilliseconds?: number;
  /** Reads `settings.passwordSecret` when set. */
  secrets?: SecretCache;
  sleep?: (milliseconds: number) => Promise<void>;
}

export const MAILER_DEFAULTS = {
  // Rides out an SMTP server restart within one push; a longer outage is Pub/Sub's redelivery's job.
  maxTries: 3,
  firstBackoffMilliseconds: 1000,
} as const;

/** An SMTP failure after every try, naming the server and the last cause. */
export class SmtpSendError extends Error {
  override readonly name = 'SmtpSendError';
}

/** Sends email over SMTP with nodemailer, trying a few times before giving the failure back. */
export class Mailer {
  private transport: { password: string | undefined; transporter: Transporter } | undefined;
  private readonly options: Required<Omit<MailerOptions, 'secrets'>> & Pick<MailerOptions, 'secrets'>;

  constructor(
    private readonly settings: SmtpSettings,
    options: MailerOptions = {},
  ) {
    if (settings.passwordSecret && !options.secrets) throw new Error('SMTP_PASSWORD_SECRET is set but no Secret Manager cache was given');
    this.options = { ...MAILER_DEFAULTS, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), ...options };
  }

  async send(email: OutgoingEmail): Promise<SendResult> {
    let lastError: unknown;
    for (let tries = 1; tries <= this.options.maxTries; tries++) {
      try {
        const transporter = await this.transporter();
        const info = await transporter.sendMail({ ...email, to: [...email.to], headers: email.headers });
        return { messageId: String(info.messageId), accepted: info.accepted.map(String), rejected: info.rejected.map(String), tries };
      } catch (error) {
        lastError = error;
        // A refused login may mean the password was rotated: read it again on the next try.
        if ((error as { code?: string }).code === 'EAUTH') this.options.secrets?.invalidate(this.settings.passwordSecret);
        if (tries < this.options.maxTries) await this.options.sleep(this.options.firstBackoffMilliseconds * 2 ** (tries - 1));
      }
    }
    const e = lastError as { message?: string; code?: string };
    throw new SmtpSendError(`SMTP ${this.settings.host}:${this.settings.port}: ${e.code ? `${e.code} ` : ''}${e.message ?? String(lastError)}`);
  }

  close(): void {
    this.transport?.transporter.close();
    this.transport = undefined;
  }

  private async transporter(): Promise<Transporter> {
    const password = this.settings.passwordSecret ? (await (this.options.secrets as SecretCache).get(this.settings.passwordSecret)).data.toString('utf8') : this.settings.password;
    if (this.transport && this.transport.password === password) return this.transport.transporter;
    this.transport?.transporter.close();
    const s = this.settings;
    const transporter = nodemailer.createTransport({
      host: s.host,
      port: s.port,
      secure: s.secure,
      requireTLS: s.requireTls,
      auth: s.user ? { user: s.user, pass: password } : undefined,
      connectionTimeout: s.connectionTimeoutMilliseconds,
      greetingTimeout: s.connectionTimeoutMilliseconds,
      socketTimeout: s.socketTimeoutMilliseconds,
    });
    this.transport = { password, transporter };
    return transporter;
  }
}
