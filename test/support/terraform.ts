import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';

type Json = Record<string, unknown>;

export interface TerraformModule {
  locals: Json;
  /** resource type → name → block */
  resources: Record<string, Record<string, Json>>;
}

/** Parses every .tf file of a folder into one view of its locals and resources. */
export async function loadTerraform(dir: string): Promise<TerraformModule> {
  const module: TerraformModule = { locals: {}, resources: {} };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
    const parsed = (await parse(file, readFileSync(join(dir, file), 'utf8'))) as {
      locals?: Json[];
      resource?: Record<string, Record<string, Json[]>>;
    };
    for (const block of parsed.locals ?? []) Object.assign(module.locals, block);
    for (const [type, byName] of Object.entries(parsed.resource ?? {})) {
      module.resources[type] ??= {};
      for (const [name, blocks] of Object.entries(byName)) (module.resources[type] as Record<string, Json>)[name] = blocks[0] as Json;
    }
  }
  return module;
}

/** A resource block; throws when it is missing so the test names what infra/ lacks. */
export function resource(module: TerraformModule, type: string, name: string): Json {
  const block = module.resources[type]?.[name];
  if (!block) throw new Error(`infra/ has no resource ${type}.${name}`);
  return block;
}

/** First element of a nested block (hcl2json renders blocks as arrays). */
export function block(parent: Json, name: string): Json {
  const value = parent[name];
  if (!Array.isArray(value) || value.length === 0) throw new Error(`missing block ${name}`);
  return value[0] as Json;
}
