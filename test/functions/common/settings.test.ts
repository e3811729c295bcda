import { readSettings, SETTINGS_DEFAULTS } from '../../../functions/common/settings';
import { projectIdOf } from '../../../shared/basics/project-id';
import { OptionsError } from '../../../shared/contracts/validation-error';

describe('settings', () => {
  describe('readSettings', () => {
    it('gives every setting its default in an empty environment', () => {
      expect(readSettings({})).toEqual({
        projectId: undefined,
        functionTarget: undefined,
        configCacheMilliseconds: 2_000,
        statsIntervalMilliseconds: 60_000,
        slowCallMilliseconds: 5_000,
        faultRate: 0,
        monitoring: { endpoint: undefined, exportEnabled: true },
        dashboard: { access: 'loopback', csrfSecret: undefined, localUser: 'local' },
      });
      expect(SETTINGS_DEFAULTS).toMatchObject({ configCacheMilliseconds: 2_000, statsIntervalMilliseconds: 60_000, faultRate: 0 });
    });

    it('reads each variable it declares, and treats a blank one as unset', () => {
      const s = readSettings({
        FUNCTION_TARGET: 'spendAggregator',
        GOVERNOR_CONFIG_CACHE_MILLISECONDS: '0',
        GOVERNOR_STATS_INTERVAL_MILLISECONDS: '',
        GOVERNOR_SLOW_CALL_MILLISECONDS: '1500',
        GOVERNOR_MONITORING_ENDPOINT: '127.0.0.1:9090',
        GOVERNOR_DASHBOARD_CSRF_SECRET: ' a secret with spaces kept as given ',
        USER: 'ada',
      });
      expect(s).toMatchObject({ functionTarget: 'spendAggregator', configCacheMilliseconds: 0, statsIntervalMilliseconds: 60_000, slowCallMilliseconds: 1500, monitoring: { endpoint: '127.0.0.1:9090' } });
      expect(s.dashboard).toEqual({ access: 'loopback', csrfSecret: ' a secret with spaces kept as given ', localUser: 'ada' });
    });

    it('names a bad variable and its value in an OptionsError', () => {
      expect(() => readSettings({ GOVERNOR_STATS_INTERVAL_MILLISECONDS: 'abc' })).toThrow(OptionsError);
      expect(() => readSettings({ GOVERNOR_STATS_INTERVAL_MILLISECONDS: 'abc' })).toThrow("GOVERNOR_STATS_INTERVAL_MILLISECONDS: must be a non-negative integer (0 turns the line off), got 'abc'");
      expect(() => readSettings({ GOVERNOR_CONFIG_CACHE_MILLISECONDS: '-1' })).toThrow("GOVERNOR_CONFIG_CACHE_MILLISECONDS: must be a non-negative integer, got '-1'");
      expect(() => readSettings({ GOVERNOR_SLOW_CALL_MILLISECONDS: '0' })).toThrow("GOVERNOR_SLOW_CALL_MILLISECONDS: must be a positive integer, got '0'");
      expect(() => readSettings({ GOVERNOR_CONFIG_CACHE_MILLISECONDS: '1.5', GOVERNOR_DASHBOARD_ACCESS: 'open' })).toThrow(
        "GOVERNOR_CONFIG_CACHE_MILLISECONDS: must be a non-negative integer, got '1.5'; GOVERNOR_DASHBOARD_ACCESS: must be one of loopback, iam, got 'open'",
      );
    });

    it('turns fault injection off by default and refuses it outside demo- projects', () => {
      expect(readSettings({}).faultRate).toBe(0);
      expect(readSettings({ GOVERNOR_FAULT_RATE: '0.2', GOOGLE_CLOUD_PROJECT: 'demo-x' }).faultRate).toBe(0.2);
      expect(() => readSettings({ GOVERNOR_FAULT_RATE: '0.2', GOOGLE_CLOUD_PROJECT: 'prod' })).toThrow('only allowed in a demo- project');
      expect(() => readSettings({ GOVERNOR_FAULT_RATE: '2', GOOGLE_CLOUD_PROJECT: 'demo-x' })).toThrow('between 0 and 1');
    });

    it('makes the dashboard loopback locally, iam on Cloud Run, and what GOVERNOR_DASHBOARD_ACCESS says when set', () => {
      expect(readSettings({}).dashboard.access).toBe('loopback');
      expect(readSettings({ K_SERVICE: 'dashboard' }).dashboard.access).toBe('iam');
      expect(readSettings({ K_SERVICE: 'dashboard', GOVERNOR_DASHBOARD_ACCESS: ' loopback ' }).dashboard.access).toBe('loopback');
      expect(() => readSettings({ GOVERNOR_DASHBOARD_ACCESS: 'open' })).toThrow(/GOVERNOR_DASHBOARD_ACCESS/);
    });

    it('exports to Cloud Monitoring in production, with emulators only given an endpoint, never when off', () => {
      expect(readSettings({}).monitoring.exportEnabled).toBe(true);
      expect(readSettings({ FIRESTORE_EMULATOR_HOST: '127.0.0.1:8080' }).monitoring.exportEnabled).toBe(false);
      expect(readSettings({ FIRESTORE_EMULATOR_HOST: '127.0.0.1:8080', GOVERNOR_MONITORING_ENDPOINT: '127.0.0.1:9090' }).monitoring.exportEnabled).toBe(true);
      expect(readSettings({ GOVERNOR_MONITORING_EXPORT: 'off' }).monitoring.exportEnabled).toBe(false);
    });
  });

  describe('projectIdOf', () => {
    it('is GOOGLE_CLOUD_PROJECT, else GCLOUD_PROJECT, a blank one counting as unset', () => {
      expect(projectIdOf({ GOOGLE_CLOUD_PROJECT: 'demo-a', GCLOUD_PROJECT: 'demo-b' })).toBe('demo-a');
      expect(projectIdOf({ GCLOUD_PROJECT: 'demo-b' })).toBe('demo-b');
      expect(projectIdOf({ GOOGLE_CLOUD_PROJECT: '', GCLOUD_PROJECT: 'demo-b' })).toBe('demo-b');
      expect(projectIdOf({})).toBeUndefined();
      expect(readSettings({ GCLOUD_PROJECT: 'demo-b' }).projectId).toBe('demo-b');
    });

    it('lets a demo- project from GCLOUD_PROJECT allow fault injection too', () => {
      expect(readSettings({ GOVERNOR_FAULT_RATE: '0.5', GCLOUD_PROJECT: 'demo-b' }).faultRate).toBe(0.5);
    });
  });
});
