import type { HttpFunction } from '@google-cloud/functions-framework';
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { createLogger, type Logger } from '../../shared/logging/logger';
import { secretManagerClient } from '../../shared/secrets/secret-manager-client';
import { loadTopology } from '../../shared/topology/topology';
import { firestore, pubsub } from '../common/clients';
import { projectId, settings } from '../common/settings';
import { CsrfTokens } from './csrf-tokens';
import { createDashboardHandler } from './dashboard-handler';
import { dashboardOptions } from './dashboard-options';
import { LiveState } from './live-state';
import { loadAssets } from './static-assets';

/** Built on the first request: the CSRF secret and assets are checked there and a bad one fails loudly (the access mode is a setting, checked at load). */
function build(log: Logger) {
  const project = projectId();
  const topology = loadTopology();
  const options = dashboardOptions();
  const { access, csrfSecret, localUser } = settings().dashboard;
  let secrets: SecretManagerServiceClient | undefined;
  const secretManager = () => (secrets ??= secretManagerClient(project));
  const state = new LiveState({ db: firestore(), pubsub: pubsub(), projectId: project, topology, secretManager, log, options });
  return createDashboardHandler({
    access,
    csrf: new CsrfTokens(csrfSecret),
    state,
    assets: loadAssets(),
    operator: (actor) => ({ db: firestore(), pubsub: pubsub(), topology, projectId: project, actor, log, secretManager }),
    options,
    projectId: project,
    localUser,
    log,
  });
}

/** HTTP function: Governor's dashboard (spend, performance, security) with live updates and operator actions. */
export function createDashboard(): HttpFunction {
  const log = createLogger({ component: 'dashboard' });
  let handler: ReturnType<typeof build> | undefined;

  return async (req, res) => {
    try {
      handler ??= build(log);
      await handler(req, res);
    } catch (error) {
      log.error({ err: error, path: req.path }, 'dashboard: request failed');
      if (!res.headersSent) res.status(500).set('Content-Type', 'text/plain; charset=utf-8').send(`dashboard error: ${(error as Error).message}\n`);
      else res.end();
    }
  };
}
