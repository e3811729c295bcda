import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { repoRoot } from '../../bin/stack/repo-root';
import { loadProviderSchema } from '../support/provider-schema';
import { declaredBlocks, schemaProblems } from '../support/terraform-schema-check';

describe('infra/ against the Google provider schema (@cdktf/provider-google bindings)', () => {
  const provider = loadProviderSchema();

  it('reads the schema of the provider versions.tf pins', async () => {
    // `~> 6.50` = the 6.x releases from the checked one on: what terraform init may pick is what CI checked.
    const [major, minor] = provider.version.split('.');
    const parsed = (await parse('versions.tf', readFileSync(join(repoRoot(), 'infra/versions.tf'), 'utf8'))) as { terraform: { required_providers: { google: { version: string } }[] }[] };
    expect(parsed.terraform[0]?.required_providers[0]?.google.version).toBe(`~> ${major}.${minor}`);
    const fn = provider.schemaOf('resource', 'google_cloudfunctions2_function');
    expect(fn.arguments.get('name')?.required).toBe(true);
    expect([...(fn.arguments.get('build_config')?.block?.arguments.keys() ?? [])]).toEqual(expect.arrayContaining(['runtime', 'entry_point', 'source']));
  });

  it('uses only arguments the provider has, and every required one', async () => {
    const blocks = await declaredBlocks(join(repoRoot(), 'infra'));
    expect(blocks.length).toBeGreaterThan(40);
    expect(schemaProblems(blocks, provider)).toEqual([]);
  });

  it('names a misspelt, a removed and a missing argument, with the file and block path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'governor-tf-'));
    try {
      writeFileSync(
        join(dir, 'broken.tf'),
        `resource "google_cloudfunctions2_function" "f" {
  name = "f"
  build_config {
    runtime    = "nodejs24"
    entrypoint = "spendAggregator"
  }
}
resource "google_pubsub_subscription" "s" {
  name = "s"
  dynamic "dead_letter_policy" {
    for_each = [1]
    content {
      max_delivery_attempt = 5
    }
  }
}
resource "google_not_a_resource" "x" {}
`,
      );
      expect(schemaProblems(await declaredBlocks(dir), provider)).toEqual([
        'broken.tf: google_cloudfunctions2_function.f.build_config: unknown argument "entrypoint"',
        'broken.tf: google_cloudfunctions2_function.f: required argument "location" is missing',
        `broken.tf: google_not_a_resource.x: the Google provider ${provider.version} has no resource google_not_a_resource`,
        'broken.tf: google_pubsub_subscription.s.dead_letter_policy: unknown argument "max_delivery_attempt"',
        'broken.tf: google_pubsub_subscription.s: required argument "topic" is missing',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
