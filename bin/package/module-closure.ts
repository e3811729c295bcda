import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// tsc's CommonJS output names every relative import as a literal `require("./x")` — dynamic
// `import()` of a relative path too — so the closure is a scan, not an execution.
const RELATIVE_REQUIRE = /\brequire\("(\.{1,2}\/[^"]+)"\)/g;

/** The file a relative require names, resolved as Node does for compiled output (x.js, x/index.js). */
function resolveRequire(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.js`, join(base, 'index.js')]) {
    if (candidate.endsWith('.js') && existsSync(candidate)) return candidate;
  }
  throw new Error(`${from} requires ${specifier}, which does not exist (is dist/ built?)`);
}

/**
 * Every compiled module reachable from `entry` through relative requires, as paths relative to
 * `root`, sorted: what the functions load, and nothing of the CLI, benchmarks or agent library
 * that they do not. Packages (non-relative requires) come from the lockfile instead.
 */
export function moduleClosure(root: string, entry: string): string[] {
  const seen = new Set<string>();
  const pending = [resolve(root, entry)];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const match of readFileSync(file, 'utf8').matchAll(RELATIVE_REQUIRE)) pending.push(resolveRequire(file, match[1] as string));
  }
  const outside = [...seen].filter((file) => relative(root, file).startsWith('..'));
  if (outside.length > 0) throw new Error(`modules outside ${root} are required: ${outside.join(', ')}`);
  return [...seen].map((file) => relative(root, file)).sort();
}
