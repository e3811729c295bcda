import { runCommand, type StepContext } from './shell-runner';
import { shellCommands } from './shell-plan';
import { ShellSession } from './shell-session';

/** The runner on plain shell commands (no stack): what the README's conventions make it check. */
describe('runCommand', () => {
  let session: ShellSession;
  let context: StepContext;
  const commands = (lines: string[]) => shellCommands({ lang: 'sh', line: 20, lines, annotation: undefined, section: 'Test' });

  beforeEach(() => {
    session = new ShellSession({ PATH: process.env.PATH });
    context = { session, stack: { addresses: new Map([['127.0.0.1:8085', '127.0.0.1:41000']]) }, captured: new Map(), settleMilliseconds: 1_000 };
  });
  afterEach(() => session.close());

  it('carries exports to the next command, fills <name> from earlier output and moves the addresses', async () => {
    const [publish, show, host] = commands([
      'export PUBSUB_EMULATOR_HOST=127.0.0.1:8085 && echo "published 3 × event 01JABC to governor-cost-events"   # → published 3 × event <eventId> to governor-cost-events',
      'echo "shown <eventId>"   # → shown 01JABC',
      'echo "$PUBSUB_EMULATOR_HOST"   # → 127.0.0.1:41000',
    ]);
    await runCommand(publish!, context);
    expect(context.captured.get('eventId')).toBe('01JABC');
    expect((await runCommand(show!, context)).output).toBe('shown 01JABC\n');
    expect((await runCommand(host!, context)).status).toBe(0);
  });

  it('fails a command that does not print what its # → line says, naming the README line and showing the output', async () => {
    const [command] = commands(["echo 'TOTAL  $0.75'   # → TOTAL $0.25"]);
    await expect(runCommand(command!, context)).rejects.toThrow(/README line 20 did not do what the README says within 1 s \(line 20: expected output with "TOTAL \$0\.25"\):\n\$ echo 'TOTAL  \$0\.75'\n\[exit 0\]\nTOTAL  \$0\.75/);
  });

  it('expects a refusal to fail saying what it says, and a plain command to succeed', async () => {
    const [refused, accepted, failing] = commands([
      "sh -c 'echo \"governor: \\\"ten\\\" is not an amount in USD\" >&2; exit 1'   # → refused: \"ten\" is not an amount in USD",
      "sh -c 'exit 1'   # → refused: not an amount",
      "sh -c 'exit 3'",
    ]);
    expect((await runCommand(refused!, context)).status).toBe(1);
    await expect(runCommand(accepted!, context)).rejects.toThrow(/expected a refusal saying "not an amount"/);
    await expect(runCommand(failing!, context)).rejects.toThrow(/README line 22 .*\(expected exit 0\):\n\$ sh -c 'exit 3'\n\[exit 3\]/);
  });

  it('refuses a <name> no earlier command printed', async () => {
    const [command] = commands(['npx governor events show <eventId>']);
    await expect(runCommand(command!, context)).rejects.toThrow('README line 20: <eventId> is not printed by any "# →" line above it');
  });
});
