import type { Request, Response } from '@google-cloud/functions-framework';
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { createLogger } from '../../shared/logging/logger';
import { secretManagerClient } from '../../shared/secrets/secret-manager-client';
import { loadTopology } from '../../shared/topology/topology';
import { firestore, projectId, pubsub } from '../common/clients';
import { accessModeOf } from './access-policy';
import { CsrfTokens } from './csrf-tokens';
import { createDashboardHandler } from './dashboard-handler';
import { dashboardOptions } from './dashboard-options';
import { LiveState } from './live-state';
import { loadAssets } from './static-assets';

const log = createLogger({ component: 'dashboard' });

/** Built on the first request: access mode, CSRF secret and assets are checked there and a bad one fails loudly. */
function build() {
  const project = projectId();
  const topology = loadTopology();
  const options = dashboardOptions();
  let secrets: SecretManagerServiceClient | undefined;
  const secretManager = () => (secrets ??= secretManagerClient(project));
  const state = new LiveState({ db: firestore(), pubsub: pubsub(), projectId: project, topology, secretManager, log, options });
  return createDashboardHandler({
    access: accessModeOf(),
    csrf: new CsrfTokens(process.env.GOVERNOR_DASHBOARD_CSRF_SECRET),
    state,
    assets: loadAssets(),
    operator: (actor) => ({ db: firestore(), pubsub: pubsub(), topology, projectId: project, actor, log, secretManager }),
    options,
    projectId: project,
    log,
  });
}

let handler: ReturnType<typeof build> | undefined;

/** HTTP function: Governor's dashboard (spend, performance, security) with live updates and operator actions. */
export async function dashboard(req: Request, res: Response): Promise<void> {
  try {
    handler ??= build();
    await handler(req, res);
  } catch (error) {
    log.error({ err: error, path: req.path }, 'dashboard: request failed');
    if (!res.headersSent) res.status(500).set('Content-Type', 'text/plain; charset=utf-8').send(`dashboard error: ${(error as Error).message}\n`);
    else res.end();
  }
}
