import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../../bin/stack/repo-root';
import { PRELUDE_MODULE, PRELUDE_NAMES, PRELUDE_SOURCE } from './example-prelude';
import { isTypeScript, type ReadmeBlock } from './readme-blocks';

/** One README TypeScript example as a module of its own. */
export interface TypeScriptExample {
  block: ReadmeBlock;
  /** Whether the README asks for it to run too (`<!-- readme-test: run -->`), not only compile. */
  runs: boolean;
  /** The prelude names it imports: used, and not declared by the example itself. */
  imports: string[];
  /** Path of the module written for it. */
  file: string;
  /** Path of the JavaScript the compiler emitted for it. */
  output: string;
}

export interface CompiledExamples {
  examples: TypeScriptExample[];
  /** Each diagnostic as `README line N: message`, or in the prelude as `prelude line N: message`. */
  diagnostics: string[];
  /** Removes the modules and their output. */
  remove(): void;
}

/** Names an example declares at its top level (imports, variables, functions, classes). */
function declaredNames(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const bind = (name: ts.BindingName): void => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const element of name.elements) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  for (const statement of source.statements) {
    if (ts.isVariableStatement(statement)) for (const d of statement.declarationList.declarations) bind(d.name);
    else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) names.add(statement.name.text);
    else if (ts.isImportDeclaration(statement) && statement.importClause) {
      const clause = statement.importClause;
      if (clause.name) names.add(clause.name.text);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) names.add(bindings.name.text);
      if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) names.add(element.name.text);
    }
  }
  return names;
}

/** The prelude names an example refers to without declaring them. */
function preludeImports(code: string): string[] {
  const declared = declaredNames(ts.createSourceFile('example.mts', code, ts.ScriptTarget.ES2022, false));
  return PRELUDE_NAMES.filter((name) => !declared.has(name) && new RegExp(`(?<![\\w.$'"])${name}\\b`).test(code));
}

/**
 * Writes every TypeScript block of the README as an ES module next to the package (so `governor`,
 * `governor/security`, … resolve through package.json `exports` to this checkout's built types, as
 * a dependent's would) and compiles them in one program: strict, Node 16 module resolution.
 */
export function compileExamples(blocks: readonly ReadmeBlock[]): CompiledExamples {
  // Inside the package, so its self-reference resolves `governor`; outside the sources and dist/
  // (which is published); in .governor/, which git ignores. Removed afterwards.
  mkdirSync(join(repoRoot(), '.governor'), { recursive: true });
  const directory = mkdtempSync(join(repoRoot(), '.governor', 'readme-examples-'));
  writeFileSync(join(directory, `${PRELUDE_MODULE}.mts`), PRELUDE_SOURCE);
  const examples = blocks.filter(isTypeScript).map((block): TypeScriptExample => {
    const code = block.lines.join('\n');
    const imports = preludeImports(code);
    const name = `readme-line-${block.line}`;
    const header = imports.length > 0 ? `import { ${imports.join(', ')} } from './${PRELUDE_MODULE}.mjs';` : 'export {};';
    // One header line, then the block: file line n + 1 is README line block.line + n.
    writeFileSync(join(directory, `${name}.mts`), `${header}\n${code}\n`);
    return { block, runs: (block.annotation ?? '').split(';').some((a) => a.trim() === 'run'), imports, file: join(directory, `${name}.mts`), output: join(directory, `${name}.mjs`) };
  });
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    strict: true,
    skipLibCheck: true,
    esModuleInterop: true,
    types: ['node'],
    typeRoots: [join(repoRoot(), 'node_modules/@types')],
    outDir: directory,
    rootDir: directory,
  };
  const program = ts.createProgram([join(directory, `${PRELUDE_MODULE}.mts`), ...examples.map((e) => e.file)], options);
  const emitted = program.emit();
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) => describe(d, examples));
  const lineOf = (d: string): number => Number(/^README line (\d+)/.exec(d)?.[1] ?? 0);
  return { examples, diagnostics: [...new Set(diagnostics)].sort((a, b) => lineOf(a) - lineOf(b)), remove: () => rmSync(directory, { recursive: true, force: true }) };
}

function describe(diagnostic: ts.Diagnostic, examples: readonly TypeScriptExample[]): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (!diagnostic.file || diagnostic.start === undefined) return message;
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  const example = examples.find((e) => e.file === diagnostic.file?.fileName);
  return example ? `README line ${example.block.line + line - 1}: ${message}` : `prelude line ${line + 1}: ${message}`;
}
