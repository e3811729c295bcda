import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

/**
 * The layers of shared/, bottom → top; the one copy of the table (README "Layout" describes it).
 * A file may import its own top folder or a folder of a strictly lower rank; folders that share a
 * rank do not import each other. Subfolders (cache/semantic) belong to their top folder.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['contracts'],
  ['basics'],
  ['logging', 'topology', 'clients', 'pricing'],
  ['budget', 'metrics', 'alerts'],
  ['cache', 'runaway'],
  ['security', 'secrets'],
  ['store'],
  ['reports'],
  ['publisher', 'throttle'],
  ['leasing', 'loadtest'],
  ['genai'],
  ['index.ts'],
];

/** Folders of the repository that shared/ must never reach: they are built on top of it. */
const ABOVE_SHARED = ['functions', 'bin'];

const ROOT = resolve(__dirname, '..', '..');
const SHARED = join(ROOT, 'shared');

const RANK = new Map(LAYERS.flatMap((folders, rank) => folders.map((folder) => [folder, rank] as const)));

/** Every module specifier a TypeScript source names: import/export-from (type-only too), import-equals, import(), require(), import('x').T. */
function moduleSpecifiers(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const literal = (node: ts.Node | undefined): void => {
    if (node && ts.isStringLiteralLike(node)) found.push(node.text);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) literal(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) literal(node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) literal(node.argument.literal);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      const isResolve = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'require' && callee.name.text === 'resolve';
      if (isImport || isRequire || isResolve) literal(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFilesUnder(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The top folder of shared/ a path lies in (`index.ts` for the entry point), or undefined outside shared/. */
function layerOf(path: string): string | undefined {
  const inside = relative(SHARED, path);
  if (inside.startsWith('..') || inside === '') return undefined;
  return inside.split(/[\\/]/)[0];
}

interface SharedImport {
  file: string; // repository-relative, for messages
  specifier: string;
  from: string; // the importing file's layer
  target: string; // repository-relative path the specifier resolves to, or the bare specifier
  to: string | undefined; // the target's layer when it is inside shared/
  relativeSpecifier: boolean;
}

function sharedImports(): SharedImport[] {
  return tsFilesUnder(SHARED).flatMap((path) =>
    moduleSpecifiers(path, readFileSync(path, 'utf8')).map((specifier) => {
      const relativeSpecifier = specifier.startsWith('.');
      const resolved = relativeSpecifier ? resolve(dirname(path), specifier) : undefined;
      return {
        file: relative(ROOT, path),
        specifier,
        from: layerOf(path) as string,
        target: resolved ? relative(ROOT, resolved) : specifier,
        to: resolved ? layerOf(resolved) : undefined,
        relativeSpecifier,
      };
    }),
  );
}

const describeRank = (layer: string | undefined): string => `${layer} (rank ${layer === undefined ? '?' : RANK.get(layer) ?? 'unranked'})`;

describe('shared/ layers', () => {
  const imports = sharedImports();

  describe('moduleSpecifiers', () => {
    it('finds every import form, type-only and dynamic ones included', () => {
      const text = [
        "import { a } from './a';",
        "import type { B } from './b';",
        "import './c';",
        "export { d } from './d';",
        "export type { E } from './e';",
        "export * from './f';",
        "import g = require('./g');",
        "type H = import('./h').H;",
        "const i = () => import('./i');",
        "const j = require('./j');",
        "const k = require.resolve('./k');",
      ].join('\n');
      expect(moduleSpecifiers('sample.ts', text)).toEqual(['./a', './b', './c', './d', './e', './f', './g', './h', './i', './j', './k']);
    });
  });

  describe('the rank table', () => {
    it('ranks every top folder of shared/, and each only once', () => {
      const present = [...new Set(tsFilesUnder(SHARED).map((path) => layerOf(path) as string))].sort();
      const unranked = present.filter((layer) => !RANK.has(layer));
      expect(unranked).toEqual([]);
      expect(RANK.size).toBe(LAYERS.flat().length);
    });
  });

  describe('imports inside shared/', () => {
    it('were found (the walk reads the tree)', () => {
      expect(imports.filter((i) => i.to !== undefined).length).toBeGreaterThan(100);
    });

    it('go to the same top folder or to a strictly lower layer', () => {
      const violations = imports
        .filter((i) => i.to !== undefined && i.to !== i.from)
        .filter((i) => !((RANK.get(i.to as string) ?? Infinity) < (RANK.get(i.from) ?? -Infinity)))
        .map((i) => `${i.file} imports '${i.specifier}': ${describeRank(i.from)} may not import ${describeRank(i.to)}`);
      expect(violations).toEqual([]);
    });

    it('never leave shared/ for functions/, bin/ or another folder of the repository', () => {
      const violations = imports
        .filter((i) => i.relativeSpecifier && i.to === undefined)
        .map((i) => {
          const top = i.target.split(/[\\/]/)[0] as string;
          const why = ABOVE_SHARED.includes(top) ? `${top}/ is built on shared/` : 'shared/ stands alone';
          return `${i.file} imports '${i.specifier}' (${i.target}): ${why}`;
        });
      expect(violations).toEqual([]);
    });

    it('reach the package itself only by relative paths (no governor/... self-imports)', () => {
      const violations = imports
        .filter((i) => !i.relativeSpecifier && /^governor(\/|$)/.test(i.specifier))
        .map((i) => `${i.file} imports '${i.specifier}': use a relative path so the layer can be checked`);
      expect(violations).toEqual([]);
    });
  });
});
