import { join } from 'node:path';
import { repoRoot } from '../../bin/stack/repo-root';
import { loadProviderSchema } from '../support/provider-schema';
import { declaredBlocks, schemaProblems } from '../support/terraform-schema-check';

describe('infra/ against the Google provider schema', () => {
  it('uses only arguments the provider has, and every required one', async () => {
    const blocks = await declaredBlocks(join(repoRoot(), 'infra'));
    expect(schemaProblems(blocks, loadProviderSchema())).toEqual([]);
  });
});
