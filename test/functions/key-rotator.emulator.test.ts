import { startLocalSecretManager, type LocalSecretManager } from '../../bin/stack/local-secret-manager';
import { createLogger } from '../../shared/logging/logger';
import { generateApiKey } from '../../shared/secrets/api-key';
import { listVersions, rotateSecret } from '../../shared/secrets/key-rotation';
import { KeyVerifier } from '../../shared/secrets/key-verifier';
import { SecretCache, SecretIntegrityError } from '../../shared/secrets/secret-cache';
import { secretManagerClient } from '../../shared/secrets/secret-manager-client';
import { COLLECTIONS } from '../../shared/basics/collections';
import { updateRotationConfig } from '../../shared/store/rotation-config-store';
import { governorCli } from '../support/governor-cli';
import { startTestStack, waitFor, type TestStack } from '../support/test-stack';

describe('key-rotator with Secret Manager (real client, in-process server)', () => {
  let stack: TestStack;
  let secretManager: LocalSecretManager;
  let client: ReturnType<typeof secretManagerClient>;
  const governor = governorCli(() => stack.clientEnv);
  const tick = (data: Record<string, unknown> = { tick: 'rotate' }) => stack.pubsub.topic(stack.topology.topics.keyRotation).publishMessage({ json: data });
  const createSecret = async (secretId: string) => {
    await client.createSecret({ parent: `projects/${stack.projectId}`, secretId, secret: { replication: { automatic: {} } } });
  };
  const versions = (secret: string) => listVersions(client, stack.projectId, secret);
  const accessAll = async (secret: string) =>
    Promise.all((await versions(secret)).filter((v) => v.state === 'ENABLED').map(async (v) => String((await client.accessSecretVersion({ name: `projects/${stack.projectId}/secrets/${secret}/versions/${v.number}` }))[0].payload?.data)));

  /** Ticks (or notifications) the rotator finished for a secret, its lease released. */
  const handled = (secret: string) => stack.logs.filter((l) => l.includes(`"secretName":"${secret}"`) && (l.includes('rotation check done') || l.includes('skipped'))).length;
  const rotatorDone = (secret: string, count: number) => waitFor(async () => handled(secret), (n) => n >= count, 20_000, `the rotator done with ${secret}`);
  // Rotation is about version ages: the tests age a secret's versions instead of waiting.
  const age = (secret: string, milliseconds: number) => secretManager.age(`projects/${stack.projectId}/secrets/${secret}`, milliseconds);

  beforeAll(async () => {
    secretManager = await startLocalSecretManager();
    stack = await startTestStack({ functions: ['key-rotator', 'security-monitor'], functionEnv: { LOG_LEVEL: 'debug' }, secretManagerEndpoint: secretManager.endpoint });
    client = secretManagerClient(stack.projectId, { GOVERNOR_SECRET_MANAGER_ENDPOINT: stack.secretManagerEndpoint });
  });
  afterAll(async () => {
    await client?.close();
    await stack?.close();
    await secretManager?.stop();
  });

  it('rotates a due secret once however many ticks arrive together, and audits it without the key', async () => {
    await createSecret('writer-api-key');
    await updateRotationConfig(stack.db, (c) => ({ secrets: { ...c.secrets, 'writer-api-key': { periodHours: 24, graceHours: 1, retention: 3 } } }));
    // No version yet: due. Three ticks at once (Cloud Scheduler retrying, or a manual one on top).
    await Promise.all([tick(), tick(), tick()]);
    await waitFor(async () => stack.logs.filter((l) => l.includes('"secretName":"writer-api-key"') && (l.includes('rotation check done') || l.includes('skipped'))).length, (n) => n >= 3, 30_000, 'three handled ticks');
    expect((await versions('writer-api-key')).map((v) => v.state)).toEqual(['ENABLED']);

    const audit = await waitFor(
      async () => (await stack.db.collection(COLLECTIONS.securityAudit).where('payload.kind', '==', 'API_KEY_ROTATION').get()).docs,
      (d) => d.length === 1,
      20_000,
      'the rotation in the audit log',
    );
    const [key] = await accessAll('writer-api-key');
    expect(audit[0]!.get('payload.apiKeyId')).toBe(/^gov_([0-9A-Za-z]{10})_/.exec(key!)?.[1]);
    expect(audit[0]!.get('payload.details')).toMatchObject({ name: 'writer-api-key', version: 1 });
    expect(stack.logs.some((l) => l.includes(key!))).toBe(false);
    expect(JSON.stringify(audit[0]!.data())).not.toContain(key!.slice(15));
  });

  it("rotates on Secret Manager's SECRET_ROTATE notification and ignores its other notifications", async () => {
    const before = (await versions('writer-api-key')).length;
    const notify = (eventType: string) =>
      stack.pubsub.topic(stack.topology.topics.keyRotation).publishMessage({ data: Buffer.from('{}'), attributes: { eventType, secretId: `projects/${stack.projectId}/secrets/writer-api-key`, dataFormat: 'JSON' } });
    await notify('SECRET_VERSION_ADD');
    await waitFor(async () => stack.logs.filter((l) => l.includes('Secret Manager notification ignored')).length, (n) => n >= 1, 20_000, 'the ignored notification');
    expect(await versions('writer-api-key')).toHaveLength(before);
    // A forced rotation right after the first is refused for a minute: the first is a minute old now.
    age('writer-api-key', 61_000);
    const done = handled('writer-api-key');
    await notify('SECRET_ROTATE');
    await rotatorDone('writer-api-key', done + 1);
    expect(await versions('writer-api-key')).toHaveLength(before + 1);
    expect((await versions('writer-api-key')).map((v) => v.state)).toEqual(['ENABLED', 'ENABLED']);
    // An operator's rotation right after it is refused for a minute (no double rotation).
    expect((await governor('keys', 'rotate', 'writer-api-key')).stdout).toContain('not rotated (a version was added less than a minute ago)');
    expect((await governor('keys', 'rotate', 'unconfigured')).stderr).toContain('unconfigured has no rotation settings');
  });

  it('keeps the old key valid during the grace window and refuses it after, while the new one works', async () => {
    await createSecret('grace-key');
    // A 6 s period and a 3 s grace window: the same mechanism as days and hours.
    await updateRotationConfig(stack.db, (c) => ({ secrets: { ...c.secrets, 'grace-key': { periodHours: 6 / 3600, graceHours: 3 / 3600, retention: 3 } } }));
    const cache = new SecretCache(client, stack.projectId, { ttlMilliseconds: 0 });
    const verifier = new KeyVerifier(cache, 'grace-key', 0);
    const states = async () => (await versions('grace-key')).map((v) => v.state).join();
    await tick({ secrets: ['grace-key'] });
    await rotatorDone('grace-key', 1);
    expect(await states()).toBe('ENABLED');
    const oldKey = (await cache.get('grace-key')).data.toString();
    expect(await verifier.verify(oldKey)).toMatchObject({ valid: true, version: 1 });

    age('grace-key', 6200);
    await tick({ secrets: ['grace-key'] });
    await rotatorDone('grace-key', 2);
    expect(await states()).toBe('ENABLED,ENABLED');
    const newKey = (await cache.get('grace-key')).data.toString();
    // Inside the grace window both work: an agent holding the old key keeps working.
    expect(await verifier.verify(oldKey)).toMatchObject({ valid: true, version: 1 });
    expect(await verifier.verify(newKey)).toMatchObject({ valid: true, version: 2 });
    expect(await verifier.verify(`${oldKey}x`)).toEqual({ valid: false });

    // After the grace window the next tick disables the old version.
    age('grace-key', 3200);
    await tick({ secrets: ['grace-key'] });
    await rotatorDone('grace-key', 3);
    expect(await states()).toMatch(/^ENABLED,DISABLED/);
    expect(await verifier.verify(oldKey)).toEqual({ valid: false });
    expect(await verifier.verify(newKey)).toMatchObject({ valid: true, version: 2 });

    const status = JSON.parse((await governor('keys', 'status', '--json')).stdout) as { secret: string; versions: { version: number; state: string }[] }[];
    expect(status.find((s) => s.secret === 'grace-key')?.versions.slice(0, 2).map((v) => `${v.version}:${v.state}`)).toEqual(['2:ENABLED', '1:DISABLED']);
  }, 60_000);

  it('reports a configured secret missing from Secret Manager by name, beside the others, instead of failing', async () => {
    await updateRotationConfig(stack.db, (c) => ({ secrets: { ...c.secrets, 'never-created': { periodHours: 24, graceHours: 1, retention: 3 } } }));
    const text = await governor('keys', 'status');
    expect(text.stderr).toBe('');
    expect(text.stdout).toContain('never-created: secret never-created does not exist in project');
    expect(text.stdout).toMatch(/writer-api-key: every 24\.00 h/);
    const status = JSON.parse((await governor('keys', 'status', '--json')).stdout) as { secret: string; problem?: string; versions: unknown[] }[];
    expect(status.find((s) => s.secret === 'never-created')).toMatchObject({ versions: [], problem: expect.stringContaining('gcloud secrets create never-created') });
    await updateRotationConfig(stack.db, (c) => ({ secrets: Object.fromEntries(Object.entries(c.secrets).filter(([name]) => name !== 'never-created')) }));
  });

  it('never leaves zero enabled versions when a rotation crashes between adding and disabling', async () => {
    await createSecret('crash-key');
    // Due after a second, retired at once (no grace): the crash is the only thing in the way.
    const settings = { periodHours: 1 / 3600, graceHours: 0, retention: 2 };
    const announced: number[] = [];
    const deps = {
      client,
      db: stack.db,
      projectId: stack.projectId,
      now: () => new Date(),
      log: createLogger({ component: 'test', level: 'silent' }),
      announce: async (r: { version: number }) => void announced.push(r.version),
    };
    await rotateSecret(deps, 'crash-key', settings, { reason: 'first' });
    age('crash-key', 1100);
    const crash = () => {
      throw new Error('process killed');
    };
    await expect(rotateSecret({ ...deps, crashAfter: (step) => step === 'after-add' && crash() }, 'crash-key', settings, { reason: 'second' })).rejects.toThrow('process killed');
    // Between the steps: both versions enabled, the new one not yet announced.
    expect((await versions('crash-key')).map((v) => v.state)).toEqual(['ENABLED', 'ENABLED']);
    expect(announced).toEqual([1]);
    // The next run completes it: announces the new version and retires the old one.
    await rotateSecret(deps, 'crash-key', settings, { reason: 'tick' });
    expect(announced).toEqual([1, 2]);
    expect((await versions('crash-key')).map((v) => v.state)).toEqual(['ENABLED', 'DISABLED']);
    expect(await accessAll('crash-key')).toHaveLength(1);
  });
});

describe('SecretCache', () => {
  let server: LocalSecretManager;
  let client: ReturnType<typeof secretManagerClient>;
  beforeAll(async () => {
    server = await startLocalSecretManager();
    client = secretManagerClient('demo-cache', { GOVERNOR_SECRET_MANAGER_ENDPOINT: server.endpoint });
    await client.createSecret({ parent: 'projects/demo-cache', secretId: 's', secret: { replication: { automatic: {} } } });
    await client.addSecretVersion({ parent: 'projects/demo-cache/secrets/s', payload: { data: Buffer.from('value-1') } });
  });
  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  it('detects a CRC32C mismatch and never serves the corrupted value', async () => {
    const cache = new SecretCache(client, 'demo-cache', { ttlMilliseconds: 0 });
    expect((await cache.get('s')).data.toString()).toBe('value-1');
    server.corruptNextAccess();
    await expect(cache.get('s')).rejects.toThrow(SecretIntegrityError);
  });

  it('keeps verifying with the keys it loaded while Secret Manager is unreachable, and says so', async () => {
    const own = await startLocalSecretManager();
    const ownClient = secretManagerClient('demo-verifier', { GOVERNOR_SECRET_MANAGER_ENDPOINT: own.endpoint });
    try {
      const { key } = generateApiKey();
      await ownClient.createSecret({ parent: 'projects/demo-verifier', secretId: 'k', secret: { replication: { automatic: {} } } });
      await ownClient.addSecretVersion({ parent: 'projects/demo-verifier/secrets/k', payload: { data: Buffer.from(key) } });
      const stale: string[] = [];
      const verifier = new KeyVerifier(new SecretCache(ownClient, 'demo-verifier', { ttlMilliseconds: 0, timeoutMilliseconds: 1000 }), 'k', 0, (secret) => stale.push(secret));
      expect(await verifier.verify(key)).toMatchObject({ valid: true, version: 1 });
      await own.stop();
      expect(await verifier.verify(key)).toMatchObject({ valid: true, version: 1 });
      expect(await verifier.verify(`${key}x`)).toEqual({ valid: false });
      expect(stale).toEqual(['k', 'k']);
    } finally {
      await ownClient.close();
    }
  });

  it('serves the last good value while Secret Manager is unreachable, and says so', async () => {
    const stale: string[] = [];
    const cache = new SecretCache(client, 'demo-cache', { ttlMilliseconds: 0, timeoutMilliseconds: 1000, onStale: (s) => stale.push(s) });
    expect((await cache.get('s')).data.toString()).toBe('value-1');
    await server.stop();
    expect((await cache.get('s')).data.toString()).toBe('value-1');
    expect(stale).toEqual(['s']);
  });
});
