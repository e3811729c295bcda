import { Command, CommanderError } from 'commander';
import { OperatorError } from '../functions/common/operator/operator-actions';
import { ValidationError } from '../shared/contracts/validation-error';
import { registerAlertsCommand } from './commands/alerts-command';
import { registerBudgetCommand } from './commands/budget-command';
import { registerBreakerCommand } from './commands/breaker-command';
import { registerCacheCommand } from './commands/cache-command';
import { CliError } from './commands/cli-context';
import { registerDeadLettersCommand } from './commands/dead-letters-command';
import { registerEventsCommand } from './commands/events-command';
import { registerKeysCommand } from './commands/keys-command';
import { registerLoadtestCommand } from './commands/loadtest-command';
import { registerMetricsCommand } from './commands/metrics-command';
import { registerPricesCommand } from './commands/prices-command';
import { registerPublishCommand } from './commands/publish-command';
import { registerSecurityCommands } from './commands/security-command';
import { registerTopologyCommand } from './commands/topology-command';

// The CLI talks to emulators or Google with the same env as the functions; never the metadata server locally.
if (process.env.FIRESTORE_EMULATOR_HOST || process.env.PUBSUB_EMULATOR_HOST || process.env.GOVERNOR_SECRET_MANAGER_ENDPOINT) process.env.METADATA_SERVER_DETECTION ??= 'none';

const program = new Command()
  .name('governor')
  .description('Operator commands for Governor: budgets, metrics, bans, keys and alert email of an AI agent fleet on Google Cloud.')
  .showHelpAfterError()
  .exitOverride();

registerTopologyCommand(program);
registerBudgetCommand(program);
registerBreakerCommand(program);
registerPricesCommand(program);
registerMetricsCommand(program);
registerSecurityCommands(program);
registerKeysCommand(program);
registerAlertsCommand(program);
registerPublishCommand(program);
registerEventsCommand(program);
registerDeadLettersCommand(program);
registerCacheCommand(program);
registerLoadtestCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  const known = error instanceof CliError || error instanceof ValidationError || error instanceof OperatorError;
  process.stderr.write(`governor: ${known ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`);
  process.exit(1);
});
