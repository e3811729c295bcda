import { readmeBlocks } from './readme-blocks';
import { startReadmeStack, type ReadmeStack } from './readme-stack';
import { runStep, type StepContext } from './shell-runner';
import { shellPlan, type ShellStep } from './shell-plan';
import { ShellSession } from './shell-session';

/**
 * The README, executed: `npm start`'s stack on free ports, then every shell block in the order a
 * reader meets them, in one shell session that starts with the banner's `export` lines. Each block
 * is a test; its commands must succeed and print what their `# →` lines say (see shell-plan.ts).
 */
const plan = shellPlan(readmeBlocks());
const runSteps = plan.filter((s): s is Extract<ShellStep, { kind: 'run' }> => s.kind === 'run');

describe('the README, run against npm start', () => {
  let stack: ReadmeStack;
  let session: ShellSession;
  let context: StepContext;

  beforeAll(async () => {
    stack = await startReadmeStack();
    session = new ShellSession({ ...process.env, ...stack.env });
    context = { session, stack, captured: new Map() };
  }, 160_000);
  afterAll(async () => {
    session?.close();
    await stack?.stop();
  }, 60_000);

  it('has shell blocks to run', () => {
    expect(runSteps.length).toBeGreaterThan(0);
  });

  for (const step of runSteps) {
    const first = step.commands.find((c) => !c.standIn)?.written ?? '';
    it(`README line ${step.block.line} (${step.block.section}): ${first.length > 70 ? `${first.slice(0, 69)}…` : first}`, async () => {
      // Files the README shows before this block (`<!-- readme-test: file NAME -->`) are in the reader's directory.
      const index = plan.indexOf(step);
      const previousRun = plan.slice(0, index).findLastIndex((s) => s.kind === 'run');
      for (const file of plan.slice(previousRun + 1, index)) if (file.kind === 'file') session.writeFile(file.name, file.content);
      const ran = await runStep(step, context);
      expect(ran).toEqual(step.commands.filter((c) => !c.standIn).map((c) => c.line));
    }, 300_000);
  }
});
