import { smtpSettingsFromEnv } from '../../../../functions/common/alerts/smtp-settings';
import { OptionsError } from '../../../../shared/contracts/validation-error';

describe('smtpSettingsFromEnv', () => {
  it('defaults to port 587 with STARTTLS, no login', () => {
    expect(smtpSettingsFromEnv({ SMTP_HOST: 'smtp.example.com' })).toEqual({
      host: 'smtp.example.com',
      port: 587,
      secure: false,
      requireTls: false,
      user: undefined,
      password: undefined,
      passwordSecret: undefined,
      connectionTimeoutMilliseconds: 10_000,
      socketTimeoutMilliseconds: 20_000,
    });
  });

  it('uses implicit TLS on port 465 unless told otherwise', () => {
    expect(smtpSettingsFromEnv({ SMTP_HOST: 'h', SMTP_PORT: '465' }).secure).toBe(true);
    expect(smtpSettingsFromEnv({ SMTP_HOST: 'h', SMTP_PORT: '465', SMTP_SECURE: 'false' }).secure).toBe(false);
  });

  it('takes the password from the env locally or names the Secret Manager secret in production', () => {
    expect(smtpSettingsFromEnv({ SMTP_HOST: 'h', SMTP_USER: 'u', SMTP_PASSWORD: 'p' })).toMatchObject({ user: 'u', password: 'p' });
    expect(smtpSettingsFromEnv({ SMTP_HOST: 'h', SMTP_USER: 'u', SMTP_PASSWORD_SECRET: 'governor-smtp-password', SMTP_PASSWORD: ' ' })).toMatchObject({ passwordSecret: 'governor-smtp-password', password: undefined });
  });

  it('names each bad variable', () => {
    expect(() => smtpSettingsFromEnv({})).toThrow(OptionsError);
    expect(() => smtpSettingsFromEnv({})).toThrow(/SMTP_HOST: is not set/);
    expect(() => smtpSettingsFromEnv({ SMTP_HOST: 'h', SMTP_PORT: '70000' })).toThrow(/SMTP_PORT/);
    expect(() => smtpSettingsFromEnv({ SMTP_HOST: 'h', SMTP_SECURE: 'yes' })).toThrow(/SMTP_SECURE/);
    expect(() => smtpSettingsFromEnv({ SMTP_HOST: 'h', SMTP_USER: 'u', SMTP_PASSWORD: 'p', SMTP_PASSWORD_SECRET: 's' })).toThrow(/not both/);
    expect(() => smtpSettingsFromEnv({ SMTP_HOST: 'h', SMTP_PASSWORD: 'p' })).toThrow(/SMTP_USER: a password needs SMTP_USER/);
  });
});
