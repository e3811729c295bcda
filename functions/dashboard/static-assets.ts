import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Asset {
  body: Buffer;
  contentType: string;
}

/** Folder of the page's script and style: beside the sources, found from the compiled file too. */
function assetsDir(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'functions/dashboard/assets');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
  }
  throw new Error('functions/dashboard/assets not found above the dashboard module (deploy it with dist/)');
}

/** Chart.js's own browser build, from the installed package (no CDN). */
function chartJsFile(): string {
  return join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
}

/** The assets the page loads, by URL path; read once, served from memory. */
export function loadAssets(): ReadonlyMap<string, Asset> {
  const dir = assetsDir();
  const js = 'text/javascript; charset=utf-8';
  return new Map<string, Asset>([
    ['/assets/chart.umd.min.js', { body: readFileSync(chartJsFile()), contentType: js }],
    ['/assets/scope-panels.js', { body: readFileSync(join(dir, 'scope-panels.js')), contentType: js }],
    ['/assets/dashboard.js', { body: readFileSync(join(dir, 'dashboard.js')), contentType: js }],
    ['/assets/dashboard.css', { body: readFileSync(join(dir, 'dashboard.css')), contentType: 'text/css; charset=utf-8' }],
  ]);
}
