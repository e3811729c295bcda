import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import AdmZip from 'adm-zip';
import { repoRoot } from '../../bin/stack/repo-root';
import { COLLECTIONS } from '../../shared/basics/collections';
import { pushPathFor } from '../../shared/topology/topology';
import { requireProductionNode, type ProductionNode } from '../../scripts/production-node';
import { sampleMessage, topicKeyOf } from '../support/sample-messages';
import { startTestStack, type TestStack } from '../support/test-stack';

/**
 * The source archive `npm run package` makes, treated as Cloud Run functions treats it: unpacked
 * into an empty folder, production dependencies installed by the deployed Node's npm with
 * NODE_ENV=production (the buildpack's `npm ci` when there is no build script to run), syntax
 * checked, and every function target started with the package's own functions-framework on that
 * Node — against the emulators, each consumer fed one message.
 */
describe('the function source archive', () => {
  const root = repoRoot();
  const work = mkdtempSync(join(tmpdir(), 'governor-package-'));
  const app = join(work, 'app');
  const source = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string; dependencies: Record<string, string> };
  let runtime: ProductionNode;
  let entries: string[];
  let stack: TestStack | undefined;

  beforeAll(async () => {
    runtime = requireProductionNode();
    const archive = join(work, 'governor-src.zip');
    execFileSync(process.execPath, [join(root, 'dist/bin/package-functions.js'), '--out', archive], { stdio: ['ignore', 'ignore', 'inherit'] });
    const zip = new AdmZip(archive);
    entries = zip.getEntries().map((e) => e.entryName);
    mkdirSync(app);
    zip.extractAllTo(app);
    // --offline: the tarballs come from the npm cache the checkout's own install filled; a test reaches no registry.
    execFileSync(runtime.node, [runtime.npmCli, 'ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: app,
      env: { ...process.env, NODE_ENV: 'production', PATH: `${runtime.binDir}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    stack = await startTestStack({ deployedPackage: { dir: app, nodeBinDir: runtime.binDir }, mailCatcher: true, dashboard: true });
  }, 600_000);

  afterAll(async () => {
    await stack?.close();
    rmSync(work, { recursive: true, force: true });
  });

  const started = (): TestStack => {
    if (!stack) throw new Error('the stack did not start');
    return stack;
  };

  it('holds the compiled functions, their assets, package.json and lockfile, and nothing else', () => {
    expect(entries).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', source.main, 'functions/dashboard/assets/dashboard.js', 'functions/dashboard/assets/dashboard.css']));
    const unexpected = entries.filter((e) => !/^(package\.json|package-lock\.json|dist\/(functions|shared)\/.+\.js|functions\/dashboard\/assets\/[^/]+)$/.test(e));
    expect(unexpected).toEqual([]);
    // The closure of the functions' entry point: no CLI, benchmark or load-generator module.
    expect(entries.filter((e) => /^dist\/(bin|bench)\/|^dist\/shared\/(loadtest|publisher)\//.test(e))).toEqual([]);
  });

  it('builds nothing in Cloud Build: an empty gcp-build, no prepare, no dev dependencies, the deployed major', () => {
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.scripts).toEqual({ 'gcp-build': '' });
    expect(manifest.devDependencies).toBeUndefined();
    expect(manifest.dependencies).toEqual(source.dependencies);
    expect(manifest.engines).toEqual({ node: `${runtime.major}.x` });
  });

  it('installs the production dependencies only', () => {
    const installed = (path: string) => existsSync(join(app, path, 'package.json'));
    expect(Object.keys(source.dependencies).filter((name) => !installed(`node_modules/${name}`))).toEqual([]);
    // What only the dev dependencies need (the checkout's lockfile marks it `dev`) is not there.
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([path, entry]) => entry.dev && path.lastIndexOf('node_modules/') === 0).map(([path]) => path);
    expect(devOnly).toEqual(expect.arrayContaining(['node_modules/typescript', 'node_modules/jest']));
    expect(devOnly.filter(installed)).toEqual([]);
  });

  it("passes the buildpack's syntax check of package.json main on the deployed Node", () => {
    expect(() => execFileSync(runtime.node, ['--check', join(app, source.main)], { stdio: 'pipe' })).not.toThrow();
  });

  it('runs every function target on the deployed Node, from the package', () => {
    const s = started();
    expect(s.functions.map((f) => f.spec.name).sort()).toEqual(s.topology.functions.map((f) => f.name).sort());
    for (const f of [...s.functions, s.dashboard]) {
      // The framework's shebang (`env node`) found the deployed Node first on PATH.
      expect(readlinkSync(`/proc/${f?.process.child.pid}/exe`)).toBe(realpathSync(runtime.node));
    }
  });

  it('acks one pushed message in every consumer', async () => {
    const s = started();
    const answers: Record<string, number> = {};
    const expected: Record<string, number> = {};
    for (const f of s.functions) {
      const topic = f.spec.subscription.topic;
      const message = sampleMessage(topicKeyOf(s.topology.topics, topic));
      // The body a Pub/Sub push subscription sends.
      const body = {
        message: { data: message.data.toString('base64'), attributes: message.attributes, messageId: `sample-${f.spec.name}`, publishTime: new Date().toISOString() },
        subscription: `projects/${s.projectId}/subscriptions/${f.spec.subscription.name}`,
      };
      const response = await fetch(`${f.url}${pushPathFor(s.projectId, topic)}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      answers[f.spec.name] = response.status;
      expected[f.spec.name] = 204;
    }
    expect(answers).toEqual(expected);
    // The spend path wrote its ledger entry: the consumer really reached Firestore from the package.
    expect((await s.db.collection(COLLECTIONS.costEvents).get()).size).toBe(1);
  });

  it('serves the dashboard page and its assets from the package', async () => {
    const dashboard = started().dashboard;
    if (!dashboard) throw new Error('the dashboard did not start');
    for (const path of ['/', '/assets/dashboard.js', '/assets/dashboard.css', '/assets/chart.umd.min.js']) {
      const response = await fetch(`${dashboard.url}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
    }
  });
});
