import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import type { BlockSchema, ProviderSchema } from './provider-schema';

type Json = Record<string, unknown>;

/** Terraform's own meta-arguments, allowed in every resource and data block whatever the provider says. */
const META_ARGUMENTS = new Set(['count', 'for_each', 'depends_on', 'provider', 'lifecycle', 'provisioner', 'connection']);

/** One block of infra/ (resource or data source) with the file it is written in. */
export interface DeclaredBlock {
  file: string;
  kind: 'resource' | 'data';
  type: string;
  name: string;
  body: Json;
}

/** Every resource and data block of a folder's .tf files, each with its file. */
export async function declaredBlocks(dir: string): Promise<DeclaredBlock[]> {
  const blocks: DeclaredBlock[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf')).sort()) {
    const parsed = (await parse(file, readFileSync(join(dir, file), 'utf8'))) as Partial<Record<'resource' | 'data', Record<string, Record<string, Json[]>>>>;
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, byName] of Object.entries(parsed[kind] ?? {})) {
        for (const [name, bodies] of Object.entries(byName)) for (const body of bodies) blocks.push({ file, kind, type, name, body });
      }
    }
  }
  return blocks;
}

/** hcl2json renders a nested block as an array of bodies (one per occurrence). */
function bodiesOf(value: unknown): Json[] {
  return (Array.isArray(value) ? value : [value]).filter((b): b is Json => typeof b === 'object' && b !== null);
}

function checkBody(body: Json, schema: BlockSchema, path: string, topLevel: boolean, problems: string[]): void {
  const dynamic = new Set<string>();
  for (const [name, value] of Object.entries(body)) {
    if (topLevel && META_ARGUMENTS.has(name)) continue;
    if (name === 'dynamic') {
      for (const [blockName, generators] of Object.entries(value as Record<string, Json[]>)) {
        dynamic.add(blockName);
        const nested = schema.arguments.get(blockName)?.block;
        if (!nested) {
          problems.push(`${path}: dynamic "${blockName}" is not a block of this schema`);
          continue;
        }
        for (const generator of bodiesOf(generators)) for (const content of bodiesOf(generator.content)) checkBody(content, nested, `${path}.${blockName}`, false, problems);
      }
      continue;
    }
    const argument = schema.arguments.get(name);
    if (!argument) {
      problems.push(`${path}: unknown argument "${name}"`);
      continue;
    }
    if (argument.block) for (const nested of bodiesOf(value)) checkBody(nested, argument.block, `${path}.${name}`, false, problems);
  }
  for (const [name, argument] of schema.arguments) {
    // `id` is marked required by some bindings but is computed by the provider.
    if (argument.required && name !== 'id' && !(name in body) && !dynamic.has(name)) problems.push(`${path}: required argument "${name}" is missing`);
  }
}

/**
 * Every argument and nested block of each declared block checked against the provider's schema:
 * unknown (misspelt, removed) arguments and missing required ones, each named with its file and path.
 */
export function schemaProblems(blocks: readonly DeclaredBlock[], provider: ProviderSchema): string[] {
  const problems: string[] = [];
  for (const block of blocks) {
    const path = `${block.file}: ${block.kind === 'data' ? 'data.' : ''}${block.type}.${block.name}`;
    let schema: BlockSchema;
    try {
      schema = provider.schemaOf(block.kind, block.type);
    } catch (error) {
      problems.push(`${path}: ${(error as Error).message}`);
      continue;
    }
    checkBody(block.body, schema, path, true, problems);
  }
  return problems;
}
