import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../bin/stack/repo-root';
import { DASHBOARD_FUNCTION } from '../../shared/topology/topology';
import { block, loadTerraform, resource, type TerraformModule } from '../support/terraform';

describe('infra/dashboard.tf', () => {
  let tf: TerraformModule;

  beforeAll(async () => {
    tf = await loadTerraform(join(repoRoot(), 'infra'));
  });

  it('deploys the function the local stack runs', () => {
    const fn = resource(tf, 'google_cloudfunctions2_function', 'dashboard');
    expect(fn.name).toBe(DASHBOARD_FUNCTION.name);
    expect(block(fn, 'build_config').entry_point).toBe(DASHBOARD_FUNCTION.target);
    expect(block(fn, 'service_config').environment_variables).toMatchObject({ GOVERNOR_DASHBOARD_ACCESS: 'iam' });
  });

  it('admits only the listed invokers, never everyone', () => {
    const invoker = resource(tf, 'google_cloud_run_service_iam_member', 'dashboard_invoker');
    expect(invoker).toMatchObject({ for_each: '${toset(var.dashboard_invokers)}', role: 'roles/run.invoker', member: '${each.value}' });
    const text = readFileSync(join(repoRoot(), 'infra/dashboard.tf'), 'utf8');
    expect(text).not.toMatch(/"allUsers"|"allAuthenticatedUsers"/);
  });
});
