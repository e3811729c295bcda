import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The Node.js major the functions are deployed on: infra/functions.tf's `nodejs24`, the load-test
 * image and scripts/production-node agree with it (test/infra/runtime-infra.test.ts).
 */
export const DEPLOYED_NODE_MAJOR = 24;

export interface PackageManifest {
  name: string;
  version: string;
  description?: string;
  license?: string;
  main: string;
  engines?: Record<string, string>;
  scripts?: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies?: Record<string, string>;
}

interface LockEntry {
  version?: string;
  integrity?: string;
}

interface Lockfile {
  packages: Record<string, LockEntry>;
}

/**
 * The package.json Cloud Build sees. Google's Node.js buildpack (nodejs/npm) runs the first of
 * GOOGLE_NODE_RUN_SCRIPTS, a `gcp-build` script or a `build` script; an empty `gcp-build` means
 * "run none" — and with none to run it installs with NODE_ENV=production (`npm ci`, dev
 * dependencies omitted). `npm ci` still runs the root's `prepare`, which here would call tsc, a
 * dev dependency: so this manifest has no `prepare`, no `build`, no devDependencies — the code
 * arrives compiled.
 */
export function deployManifest(source: PackageManifest): PackageManifest {
  return {
    name: source.name,
    version: source.version,
    ...(source.description ? { description: source.description } : {}),
    ...(source.license ? { license: source.license } : {}),
    // functions-framework (and the buildpack's syntax check) load `main`.
    main: source.main,
    engines: { node: `${DEPLOYED_NODE_MAJOR}.x` },
    scripts: { 'gcp-build': '' },
    dependencies: source.dependencies,
  };
}

/**
 * The lockfile for `manifest`: npm drops what only the dev dependencies needed and keeps every
 * remaining version as locked (checked: a package whose version or integrity changed is an error,
 * so the deployed tree is the tested tree).
 */
export function productionLockfile(manifest: PackageManifest, lock: Lockfile): Lockfile {
  const dir = mkdtempSync(join(tmpdir(), 'governor-lock-'));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
    writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
    execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const pruned = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as Lockfile;
    const changed = Object.entries(pruned.packages).filter(([path, entry]) => {
      if (path === '') return false;
      const locked = lock.packages[path];
      return !locked || locked.version !== entry.version || locked.integrity !== entry.integrity;
    });
    if (changed.length > 0) throw new Error(`pruning the lockfile changed ${changed.map(([path, e]) => `${path}@${e.version}`).join(', ')}: run \`npm install\` and commit the lockfile first`);
    return pruned;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
