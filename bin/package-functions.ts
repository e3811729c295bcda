import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import AdmZip from 'adm-zip';
import { deployManifest, productionLockfile, type PackageManifest } from './package/deploy-manifest';
import { moduleClosure } from './package/module-closure';
import { repoRoot } from './stack/repo-root';

/**
 * `npm run package`: the source archive Cloud Run functions builds (infra/ deploys it as
 * `source_object`). It holds exactly what the runtime loads — the compiled modules reachable from
 * the functions' entry point, the dashboard's assets, a package.json and lockfile for production
 * dependencies only — and is byte-for-byte the same for the same inputs.
 */

export const PACKAGE_DEFAULTS = {
  /** Where the archive is written, relative to the checkout. */
  out: 'governor-src.zip',
  /** Files the code reads at run time besides its modules. */
  assetDirs: ['functions/dashboard/assets'],
} as const;

// Zip entries carry a DOS timestamp: one fixed value keeps the archive's bytes (and hash) stable.
const ENTRY_TIME = new Date('2000-01-01T00:00:00Z');

export interface PackagedArchive {
  path: string;
  /** Archive entries, sorted. */
  files: string[];
  sha256: string;
  bytes: number;
}

/** Builds the archive from an already built checkout (`npm run build`). */
export function packageFunctions(options: { root?: string; out?: string } = {}): PackagedArchive {
  const root = options.root ?? repoRoot();
  const source = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageManifest;
  const entry = source.main;
  if (!existsSync(join(root, entry))) throw new Error(`${entry} (package.json "main") is missing: run \`npm run build\` first`);
  const manifest = deployManifest(source);
  const lock = productionLockfile(manifest, JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')));

  const contents = new Map<string, Buffer>();
  contents.set('package.json', Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  contents.set('package-lock.json', Buffer.from(`${JSON.stringify(lock, null, 2)}\n`));
  for (const file of moduleClosure(root, entry)) contents.set(file, readFileSync(join(root, file)));
  for (const dir of PACKAGE_DEFAULTS.assetDirs) {
    for (const name of readdirSync(join(root, dir))) contents.set(`${dir}/${name}`, readFileSync(join(root, dir, name)));
  }

  const zip = new AdmZip();
  const files = [...contents.keys()].sort();
  for (const file of files) zip.addFile(file, contents.get(file) as Buffer).header.time = ENTRY_TIME;
  const bytes = zip.toBuffer();
  const path = resolve(root, options.out ?? PACKAGE_DEFAULTS.out);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return { path, files, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

function main(argv: string[]): void {
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? argv[outIndex + 1] : undefined;
  if (outIndex >= 0 && !out) throw new Error('--out needs a path');
  const archive = packageFunctions({ out });
  process.stdout.write(`${archive.path}: ${archive.files.length} files, ${(archive.bytes / 1024).toFixed(0)} KiB, sha256 ${archive.sha256}\n`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`package: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
