import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';

/**
 * The Google provider's schema as the typed bindings of `@cdktf/provider-google` carry it: every
 * resource's config interface, its properties (the Terraform name is in each one's registry link,
 * `#entry_point`), which are optional, and which are nested blocks (typed by another interface).
 * Parsed from the package's .d.ts files; nothing of it is executed.
 */

export interface BlockSchema {
  /** Terraform argument name → whether it must be set. */
  readonly arguments: ReadonlyMap<string, { required: boolean; block?: BlockSchema }>;
}

export interface ProviderSchema {
  /** The provider version the bindings were generated from, e.g. `6.50.0`. */
  readonly version: string;
  /** A resource's (or with `data`, a data source's) schema; throws naming the type when the provider has none. */
  schemaOf(kind: 'resource' | 'data', type: string): BlockSchema;
}

const PACKAGE = '@cdktf/provider-google';
// `Docs at Terraform Registry: {@link https://…/docs/resources/cloudfunctions2_function#entry_point Cloudfunctions2Function#entry_point}`
const REGISTRY_LINK = /\{@link https:\/\/registry\.terraform\.io\/providers\/hashicorp\/google\/([\d.]+)\/docs\/[^#\s]+#(\w+) /;

function packageRoot(): string {
  return dirname(require.resolve(`${PACKAGE}/package.json`));
}

/** The provider version the package was generated from (its package.json `cdktf.provider`). */
function providerVersion(root: string): string {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { cdktf?: { provider?: { version?: string } } };
  const version = manifest.cdktf?.provider?.version;
  if (!version) throw new Error(`${PACKAGE} does not say which provider version it was generated from`);
  return version;
}

/** `google_cloud_run_v2_job` → lib/cloud-run-v2-job; data `google_project` → lib/data-google-project. */
function bindingFile(root: string, kind: 'resource' | 'data', type: string): string {
  const name = type.replace(/_/g, '-');
  const dir = kind === 'data' ? `data-${name}` : name.replace(/^google-/, '');
  return join(root, 'lib', dir, 'index.d.ts');
}

/** The interface a property's type names (`X`, `X[] | cdktf.IResolvable`), if it is one of this file's. */
function blockInterface(type: ts.TypeNode | undefined, interfaces: ReadonlyMap<string, ts.InterfaceDeclaration>): ts.InterfaceDeclaration | undefined {
  if (!type) return undefined;
  if (ts.isUnionTypeNode(type)) return type.types.map((t) => blockInterface(t, interfaces)).find((found) => found !== undefined);
  if (ts.isArrayTypeNode(type)) return blockInterface(type.elementType, interfaces);
  if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) return interfaces.get(type.typeName.text);
  return undefined;
}

function blockSchema(declaration: ts.InterfaceDeclaration, interfaces: ReadonlyMap<string, ts.InterfaceDeclaration>, source: ts.SourceFile): BlockSchema {
  const args = new Map<string, { required: boolean; block?: BlockSchema }>();
  for (const member of declaration.members) {
    if (!ts.isPropertySignature(member)) continue;
    const docs = source.text.slice(member.getFullStart(), member.getStart(source));
    const name = REGISTRY_LINK.exec(docs)?.[2];
    if (!name) throw new Error(`${declaration.name.text}.${member.name.getText(source)} has no registry link naming its Terraform argument`);
    const nested = blockInterface(member.type, interfaces);
    args.set(name, { required: member.questionToken === undefined, ...(nested ? { block: blockSchema(nested, interfaces, source) } : {}) });
  }
  return { arguments: args };
}

/** Loads the schema from the installed `@cdktf/provider-google` (a devDependency). */
export function loadProviderSchema(): ProviderSchema {
  const root = packageRoot();
  const cache = new Map<string, BlockSchema>();
  return {
    version: providerVersion(root),
    schemaOf(kind, type) {
      const file = bindingFile(root, kind, type);
      const cached = cache.get(file);
      if (cached) return cached;
      if (!existsSync(file)) throw new Error(`the Google provider ${providerVersion(root)} has no ${kind === 'data' ? 'data source' : 'resource'} ${type}`);
      const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      const interfaces = new Map(source.statements.filter(ts.isInterfaceDeclaration).map((d) => [d.name.text, d] as const));
      // The config interface is the one that takes Terraform's meta-arguments (count, for_each, …).
      const config = [...interfaces.values()].find((d) => d.heritageClauses?.some((h) => h.getText(source).includes('TerraformMetaArguments')));
      if (!config) throw new Error(`${file} declares no config interface`);
      const schema = blockSchema(config, interfaces, source);
      cache.set(file, schema);
      return schema;
    },
  };
}
