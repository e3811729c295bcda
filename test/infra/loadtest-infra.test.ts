import { join } from 'node:path';
import { repoRoot } from '../../bin/stack/repo-root';
import { CLOUD_RUN_TASK_ENV } from '../../shared/loadtest/task-results';
import { COLLECTIONS } from '../../shared/basics/collections';
import { block, loadTerraform, resource, type TerraformModule } from '../support/terraform';

describe('infra/loadtest.tf agrees with the load-test task mode', () => {
  let tf: TerraformModule;
  beforeAll(async () => {
    tf = await loadTerraform(join(repoRoot(), 'infra'));
  });

  it('stores task results in the collection `loadtest collect` reads', () => {
    expect((tf.locals.loadtest as Record<string, string>).results_collection).toBe(COLLECTIONS.loadtestResults);
  });

  it('runs every task at once, without retries, as `governor loadtest run`', () => {
    const job = resource(tf, 'google_cloud_run_v2_job', 'loadtest');
    const template = block(job, 'template');
    expect(template.task_count).toBe('${var.loadtest_tasks}');
    expect(template.parallelism).toBe('${var.loadtest_tasks}');
    const task = block(template, 'template');
    expect(task.max_retries).toBe(0);
    const container = block(task, 'containers');
    expect(container.args).toBe('${concat(["loadtest", "run"], var.loadtest_args, ["--no-metrics"])}');
    expect(block(container, 'env')).toEqual({ name: 'GOOGLE_CLOUD_PROJECT', value: '${var.project_id}' });
    // The task mode reads the index, count and execution Cloud Run sets in every task.
    expect(CLOUD_RUN_TASK_ENV).toEqual({ index: 'CLOUD_RUN_TASK_INDEX', count: 'CLOUD_RUN_TASK_COUNT', execution: 'CLOUD_RUN_EXECUTION' });
  });

  it('lets the generator write Firestore and publish to the three event topics only', () => {
    expect(resource(tf, 'google_project_iam_member', 'loadtest_firestore').role).toBe('roles/datastore.user');
    const pub = resource(tf, 'google_pubsub_topic_iam_member', 'loadtest_publisher');
    expect(pub.for_each).toBe('${toset(["cost", "metric", "security"])}');
    expect(Object.keys(tf.locals.topics as Record<string, string>)).toEqual(expect.arrayContaining(['cost', 'metric', 'security']));
  });
});
