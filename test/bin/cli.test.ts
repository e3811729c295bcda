import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../bin/stack/repo-root';
import { loadTopology } from '../../shared/topology/topology';

const BIN = join(repoRoot(), 'bin/governor.js');

function governor(args: string[], env: NodeJS.ProcessEnv = {}) {
  const cleanEnv = { ...process.env, GOOGLE_CLOUD_PROJECT: '', GCLOUD_PROJECT: '', ...env };
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: cleanEnv });
}

describe('governor CLI', () => {
  it('prints help listing its commands', () => {
    const result = governor(['--help']);
    expect(result.status).toBe(0);
    for (const command of ['topology', 'publish', 'events', 'dead-letters']) expect(result.stdout).toContain(command);
  });

  it('prints the topology as JSON', () => {
    const result = governor(['topology', '--json']);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(JSON.stringify(loadTopology({}))));
  });

  it('fails clearly without a project', () => {
    const result = governor(['publish', 'cost', '--category', 'OTHER', '--usd', '1']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('set GOOGLE_CLOUD_PROJECT');
  });

  it('refuses an invalid event before publishing, naming the field', () => {
    const result = governor(['publish', 'cost', '--category', 'TEA', '--usd', '1'], { GOOGLE_CLOUD_PROJECT: 'demo-cli', PUBSUB_EMULATOR_HOST: '127.0.0.1:9' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('payload.category');
  });

  it('rejects an unknown command with usage help', () => {
    const result = governor(['frobnicate']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });
});
