import { Mailer, SmtpSendError, type OutgoingEmail } from '../../../../functions/common/alerts/mailer';
import { smtpSettingsFromEnv } from '../../../../functions/common/alerts/smtp-settings';
import { startMailCatcher, type MailCatcher } from '../../../../bin/stack/mail-catcher';

const email = (subject: string): OutgoingEmail => ({
  from: 'governor@example.com',
  to: ['ops@example.com', 'oncall@example.com'],
  subject,
  text: 'plain body',
  html: '<p>html body</p>',
  messageId: `<${subject.replace(/\W/g, '')}@governor>`,
  headers: { 'X-Governor-Route': 'ops', 'Auto-Submitted': 'auto-generated' },
});

describe('Mailer (against a real SMTP server, maildev)', () => {
  let catcher: MailCatcher;

  beforeAll(async () => {
    catcher = await startMailCatcher();
  });

  afterAll(async () => {
    await catcher.stop();
  });

  describe('send', () => {
    it('delivers text, HTML, recipients, Message-ID and headers', async () => {
      const mailer = new Mailer(smtpSettingsFromEnv(catcher.smtpEnv));
      const result = await mailer.send(email('first alert'));
      mailer.close();
      expect(result).toMatchObject({ accepted: ['ops@example.com', 'oncall@example.com'], rejected: [], tries: 1, messageId: '<firstalert@governor>' });
      const [received] = (await catcher.emails()).filter((e) => e.subject === 'first alert');
      expect(received?.text.trim()).toBe('plain body');
      expect(received?.html.trim()).toBe('<p>html body</p>');
      expect(received?.to.map((t) => t.address)).toEqual(['ops@example.com', 'oncall@example.com']);
      expect(received?.headers).toMatchObject({ 'x-governor-route': 'ops', 'auto-submitted': 'auto-generated', 'message-id': '<firstalert@governor>' });
    });

    it('retries while the server is down and delivers once it is back', async () => {
      await catcher.stop();
      const sleeps: number[] = [];
      const mailer = new Mailer(smtpSettingsFromEnv(catcher.smtpEnv), {
        maxTries: 3,
        // The first wait is when the server comes back.
        sleep: async (ms) => {
          sleeps.push(ms);
          if (sleeps.length === 1) await catcher.start();
        },
      });
      const result = await mailer.send(email('after restart'));
      mailer.close();
      expect(result.tries).toBe(2);
      expect(sleeps).toEqual([1000]);
      expect((await catcher.emails()).map((e) => e.subject)).toEqual(['after restart']);
    });

    it('gives back an SmtpSendError naming the server and cause after its tries', async () => {
      await catcher.stop();
      const sleeps: number[] = [];
      const mailer = new Mailer(smtpSettingsFromEnv(catcher.smtpEnv), { maxTries: 3, firstBackoffMilliseconds: 50, sleep: async (ms) => void sleeps.push(ms) });
      const failure = mailer.send(email('never'));
      await expect(failure).rejects.toThrow(SmtpSendError);
      await expect(failure).rejects.toThrow(new RegExp(`SMTP 127\\.0\\.0\\.1:${catcher.smtpPort}: .*ECONNREFUSED`));
      expect(sleeps).toEqual([50, 100]);
      mailer.close();
      await catcher.start();
    });
  });

  it('refuses a password secret without a Secret Manager cache', () => {
    expect(() => new Mailer(smtpSettingsFromEnv({ ...catcher.smtpEnv, SMTP_USER: 'u', SMTP_PASSWORD_SECRET: 'smtp' }))).toThrow(/no Secret Manager cache/);
  });
});
