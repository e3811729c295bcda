import { readmeAnnotations, readmeBlocks, isShell } from './readme-blocks';
import { expectedPattern, shellCommands, shellPlan, withoutComment, withoutOptionalParts } from './shell-plan';

/** The README's blocks and annotations, read without a stack: what the executed README rests on. */
describe('README plan', () => {
  const blocks = readmeBlocks();

  it('runs, stands for or marks every shell block: an unmarked block the harness cannot run fails here', () => {
    const plan = shellPlan(blocks);
    const shell = blocks.filter(isShell);
    expect(plan.filter((s) => s.kind !== 'file').map((s) => s.block.line)).toEqual(expect.arrayContaining(shell.map((b) => b.line)));
    expect(plan.filter((s) => s.kind === 'run').length).toBeGreaterThan(plan.filter((s) => s.kind === 'illustration').length);
  });

  it('puts every readme-test annotation on the line before a fence', () => {
    expect(readmeAnnotations().filter((a) => !a.beforeFence)).toEqual([]);
  });

  it('marks an illustration with a reason a reader can check', () => {
    const illustrations = shellPlan(blocks).filter((s) => s.kind === 'illustration');
    expect(illustrations.filter((s) => s.kind === 'illustration' && s.reason === '').map((s) => s.block.line)).toEqual([]);
  });

  it('has the Quick start assert the recorded event, the WARNING and its email', () => {
    const quickStart = shellPlan(blocks).filter((s) => s.kind === 'run' && s.block.section === 'Quick start');
    const expectations = quickStart.flatMap((s) => (s.kind === 'run' ? s.commands.flatMap((c) => c.expectations) : []));
    expect(expectations.map((e) => e.kind)).toEqual(expect.arrayContaining(['output', 'email']));
    expect(expectations.some((e) => e.kind === 'output' && /WARNING/.test(e.text))).toBe(true);
  });
});

describe('shell block conventions', () => {
  const block = (lines: string[]) => ({ lang: 'sh', line: 10, lines, annotation: undefined, section: 'Test' });

  it('reads "# →" lines as the expectations of the command above, trailing or on their own line', () => {
    const commands = shellCommands(
      block([
        'npx governor publish cost --usd 1   # → published 1 × event <eventId> to governor-cost-events',
        'npx governor events show <eventId>',
        '# → "amountMicros": 1000000',
        'npx governor budget set total abc   # → refused: "abc" is not an amount in USD',
        '# → one "[Governor WARNING] total budget at 87.5% …" email in http://127.0.0.1:1080',
      ]),
    );
    expect(commands.map((c) => [c.line, c.run, c.expectations.map((e) => [e.kind, e.line])])).toEqual([
      [10, 'npx governor publish cost --usd 1', [['output', 10]]],
      [11, 'npx governor events show <eventId>', [['output', 12]]],
      [13, 'npx governor budget set total abc', [['refused', 13], ['email', 14]]],
    ]);
  });

  it('joins lines continued with a backslash and leaves optional [--flags] out', () => {
    const [command] = shellCommands(block(['npx governor budget status [--json] \\', '  --x 1   # note']));
    expect(command?.run).toBe('npx governor budget status --x 1');
    expect(withoutOptionalParts("npx governor alerts deliveries [--status queued|sent] [--json] --q '[x]'")).toBe("npx governor alerts deliveries --q '[x]'");
  });

  it('keeps a # inside quotes or a word, and cuts a comment', () => {
    expect(withoutComment("echo 'a # b' c#d \"#\" # comment")).toBe("echo 'a # b' c#d \"#\"");
  });

  it('matches … as anything on the line, spaces as any spacing, and captures <name>', () => {
    const pattern = expectedPattern('TOTAL $8.75 $10.00 87.5% … WARNING');
    expect(pattern.test('TOTAL         $8.75  $10.00   87.5%  $1.25      not enough data  none  WARNING')).toBe(true);
    expect(pattern.test('TOTAL         $8.75  $10.00   87.5%\nWARNING')).toBe(false);
    expect(expectedPattern('event <eventId> to').exec('published 3 × event 01ABC to x')?.groups).toEqual({ eventId: '01ABC' });
  });

  it('refuses an unknown annotation, naming its line', () => {
    expect(() => shellPlan([{ ...block(['ls']), annotation: 'illustratoin' }])).toThrow(/README line 8: unknown readme-test annotation "illustratoin"/);
  });

  it('stands for npm install, npm start and npm test, and runs anything else', () => {
    const plan = shellPlan([block(['npm install && npm start']), block(['npm test']), block(['npm ci && npm run build'])]);
    expect(plan.map((s) => s.kind)).toEqual(['stand-in', 'stand-in', 'run']);
  });
});
