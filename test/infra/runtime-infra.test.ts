import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOYED_NODE_MAJOR } from '../../bin/package/deploy-manifest';
import { repoRoot } from '../../bin/stack/repo-root';
import { productionNode } from '../../scripts/production-node';
import { CLOUD_RUN_NODE_RUNTIMES, nodeMajorSupported, runtimeSupported } from '../support/runtime-support';
import { block, loadTerraform, resource, type TerraformModule } from '../support/terraform';

describe('the Node.js the deployment runs on', () => {
  const root = repoRoot();
  let tf: TerraformModule;
  beforeAll(async () => {
    tf = await loadTerraform(join(root, 'infra'));
  });

  const runtimeOf = (name: string) => block(resource(tf, 'google_cloudfunctions2_function', name), 'build_config').runtime;

  it('is one major for the functions, the dashboard, the load-test image, the package and CI', () => {
    expect(runtimeOf('consumer')).toBe('${local.functions_runtime}');
    expect(runtimeOf('dashboard')).toBe('${local.functions_runtime}');
    const runtime = tf.locals.functions_runtime as string;
    expect(runtime).toBe(`nodejs${DEPLOYED_NODE_MAJOR}`);
    const image = /^FROM node:(\d+)-slim$/m.exec(readFileSync(join(root, 'infra/loadtest.Dockerfile'), 'utf8'));
    expect(Number(image?.[1])).toBe(DEPLOYED_NODE_MAJOR);
    // CI runs the tests and the package-start test on this binary (scripts/production-node).
    expect(productionNode().major).toBe(DEPLOYED_NODE_MAJOR);
  });

  it('is a Cloud Run functions runtime still supported today, on a maintained Node.js line', () => {
    const today = new Date();
    const runtime = tf.locals.functions_runtime as string;
    expect({ runtime, supported: runtimeSupported(runtime, today), window: CLOUD_RUN_NODE_RUNTIMES[runtime] }).toMatchObject({ runtime, supported: true });
    expect({ major: DEPLOYED_NODE_MAJOR, maintained: nodeMajorSupported(DEPLOYED_NODE_MAJOR, today) }).toEqual({ major: DEPLOYED_NODE_MAJOR, maintained: true });
  });

  it('refuses the runtime infra/ deployed before, decommissioned on 2026-10-30', () => {
    expect(runtimeSupported('nodejs20', new Date('2026-12-07T00:00:00Z'))).toBe(false);
    expect(runtimeSupported('nodejs24', new Date('2026-12-07T00:00:00Z'))).toBe(true);
    expect(runtimeSupported('nodejs24', new Date('2028-04-30T00:00:00Z'))).toBe(false);
    expect(runtimeSupported('nodejs99', new Date('2026-12-07T00:00:00Z'))).toBe(false);
  });

  it('is among the Node.js lines package.json supports, beside the local default', () => {
    const engines = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    expect(engines.split('||').map((range) => range.trim())).toEqual(expect.arrayContaining([`${DEPLOYED_NODE_MAJOR}.x`, '20.x']));
  });
});
