import { createRequire } from 'node:module';
import * as protoLoader from '@grpc/proto-loader';
import crc32c from 'crc-32/crc32c';
import { grpc } from 'google-gax';

type State = 'ENABLED' | 'DISABLED' | 'DESTROYED';

interface Version {
  number: number;
  state: State;
  createTime: number;
  data: Buffer;
}

interface Secret {
  name: string;
  createTime: number;
  versions: Version[];
  labels: Record<string, string>;
}

export interface LocalSecretManager {
  /** `host:port` for `GOVERNOR_SECRET_MANAGER_ENDPOINT`. */
  endpoint: string;
  /** Tests: the next AccessSecretVersion answers with a CRC32C that does not match its data. */
  corruptNextAccess(): void;
  /** Tests: as if every version of a secret (`projects/…/secrets/…`) had been added `milliseconds` earlier, so rotation ages without waiting. */
  age(secretName: string, milliseconds: number): void;
  stop(): Promise<void>;
}

/** How long `stop()` lets open calls finish before closing their connections. */
const STOP_GRACE_MILLISECONDS = 2000;

const timestamp = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });
const status = (code: number, details: string) => Object.assign(new Error(details), { code, details }) as grpc.ServiceError;

/**
 * Secret Manager's API as an in-process gRPC server built from the protos the client package
 * ships (Google publishes no emulator): the real @google-cloud/secret-manager client talks to it.
 * State lives in memory. `npm start` runs one for the local stack; the tests start their own.
 * It models what Governor relies on: versions numbered from 1, ENABLED/DISABLED/DESTROYED,
 * `latest`, access refused unless ENABLED, payloads with their CRC32C.
 */
export async function startLocalSecretManager(options: { host?: string; port?: number } = {}): Promise<LocalSecretManager> {
  const require = createRequire(__filename);
  const json = require('@google-cloud/secret-manager/build/protos/protos.json') as Parameters<typeof protoLoader.fromJSON>[0];
  const definition = protoLoader.fromJSON(json, { keepCase: false, longs: Number, enums: String, defaults: false, oneofs: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    google: { cloud: { secretmanager: { v1: { SecretManagerService: { service: grpc.ServiceDefinition } } } } };
  };
  const secrets = new Map<string, Secret>();
  let corruptNext = false;

  const secretOf = (name: string): Secret => {
    const secret = secrets.get(name);
    if (!secret) throw status(grpc.status.NOT_FOUND, `Secret [${name}] not found or has no versions.`);
    return secret;
  };
  const versionOf = (name: string): { secret: Secret; version: Version } => {
    const match = /^(projects\/[^/]+\/secrets\/[^/]+)\/versions\/([^/]+)$/.exec(name);
    if (!match) throw status(grpc.status.INVALID_ARGUMENT, `invalid version name ${name}`);
    const secret = secretOf(match[1] as string);
    const live = secret.versions.filter((v) => v.state !== 'DESTROYED');
    const version = match[2] === 'latest' ? live.at(-1) : secret.versions.find((v) => v.number === Number(match[2]));
    if (!version) throw status(grpc.status.NOT_FOUND, `Secret Version [${name}] not found.`);
    return { secret, version };
  };
  const versionMessage = (secret: Secret, v: Version) => ({
    name: `${secret.name}/versions/${v.number}`,
    createTime: timestamp(v.createTime),
    state: v.state,
    ...(v.state === 'DESTROYED' ? { destroyTime: timestamp(Date.now()) } : {}),
  });
  const secretMessage = (s: Secret) => ({ name: s.name, createTime: timestamp(s.createTime), labels: s.labels, replication: { automatic: {} } });
  const setState = (name: string, state: State) => {
    const { secret, version } = versionOf(name);
    if (version.state === 'DESTROYED') throw status(grpc.status.FAILED_PRECONDITION, `${name} is destroyed`);
    version.state = state;
    if (state === 'DESTROYED') version.data = Buffer.alloc(0);
    return versionMessage(secret, version);
  };
  type Call<T> = { request: T };
  const unary = <T>(fn: (request: T) => unknown) => (call: Call<T>, callback: grpc.sendUnaryData<unknown>) => {
    try {
      callback(null, fn(call.request));
    } catch (error) {
      callback(error as grpc.ServiceError, null);
    }
  };

  const server = new grpc.Server();
  server.addService(loaded.google.cloud.secretmanager.v1.SecretManagerService.service, {
    createSecret: unary((r: { parent: string; secretId: string; secret?: { labels?: Record<string, string> } }) => {
      const name = `${r.parent}/secrets/${r.secretId}`;
      if (secrets.has(name)) throw status(grpc.status.ALREADY_EXISTS, `Secret [${name}] already exists.`);
      const secret = { name, createTime: Date.now(), versions: [], labels: r.secret?.labels ?? {} };
      secrets.set(name, secret);
      return secretMessage(secret);
    }),
    getSecret: unary((r: { name: string }) => secretMessage(secretOf(r.name))),
    listSecrets: unary((r: { parent: string }) => ({ secrets: [...secrets.values()].filter((s) => s.name.startsWith(`${r.parent}/`)).map(secretMessage), totalSize: secrets.size })),
    addSecretVersion: unary((r: { parent: string; payload?: { data?: Buffer; dataCrc32c?: number } }) => {
      const secret = secretOf(r.parent);
      const data = Buffer.from(r.payload?.data ?? Buffer.alloc(0));
      if (r.payload?.dataCrc32c !== undefined && r.payload.dataCrc32c !== null && Number(r.payload.dataCrc32c) !== crc32c.buf(data) >>> 0) {
        throw status(grpc.status.INVALID_ARGUMENT, 'Checksum mismatch');
      }
      const version = { number: (secret.versions.at(-1)?.number ?? 0) + 1, state: 'ENABLED' as State, createTime: Date.now(), data };
      secret.versions.push(version);
      return versionMessage(secret, version);
    }),
    getSecretVersion: unary((r: { name: string }) => {
      const { secret, version } = versionOf(r.name);
      return versionMessage(secret, version);
    }),
    listSecretVersions: unary((r: { parent: string }) => {
      const secret = secretOf(r.parent);
      // Newest first, as Secret Manager lists them.
      return { versions: [...secret.versions].reverse().map((v) => versionMessage(secret, v)), totalSize: secret.versions.length };
    }),
    accessSecretVersion: unary((r: { name: string }) => {
      const { secret, version } = versionOf(r.name);
      if (version.state !== 'ENABLED') throw status(grpc.status.FAILED_PRECONDITION, `Secret Version [${secret.name}/versions/${version.number}] is in ${version.state} state.`);
      const checksum = crc32c.buf(version.data) >>> 0;
      const dataCrc32c = corruptNext ? (checksum ^ 1) >>> 0 : checksum;
      corruptNext = false;
      return { name: `${secret.name}/versions/${version.number}`, payload: { data: version.data, dataCrc32c } };
    }),
    disableSecretVersion: unary((r: { name: string }) => setState(r.name, 'DISABLED')),
    enableSecretVersion: unary((r: { name: string }) => setState(r.name, 'ENABLED')),
    destroySecretVersion: unary((r: { name: string }) => setState(r.name, 'DESTROYED')),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${options.host ?? '127.0.0.1'}:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    endpoint: `${options.host ?? '127.0.0.1'}:${port}`,
    corruptNextAccess() {
      corruptNext = true;
    },
    age(secretName, milliseconds) {
      for (const v of secretOf(secretName).versions) v.createTime -= milliseconds;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        // A client that keeps its connection open would hold a graceful shutdown forever.
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, STOP_GRACE_MILLISECONDS);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
