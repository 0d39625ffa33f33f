import type { Route } from './http-api.js';
import { checkinRoute } from './routes/checkin-route.js';
import { fileMappingsRoute } from './routes/file-mappings-route.js';
import { fleetRoutes } from './routes/fleet-routes.js';
import { imageRollRoute } from './routes/image-roll-route.js';
import { instanceDrainRoutes } from './routes/instance-drain-routes.js';
import { instanceReportRoute } from './routes/instance-report-route.js';
import { instanceRoute } from './routes/instance-route.js';
import { openApiRoute } from './routes/openapi-route.js';
import { operationsRoutes } from './routes/operations-routes.js';
import { planRoutes } from './routes/plan-routes.js';
import type { ServiceContext } from './service-context.js';

/** Every route of `headroom run`'s HTTP API, in matching order. */
export function serviceRoutes(context: ServiceContext): Route[] {
  return [
    ...operationsRoutes(context),
    openApiRoute(),
    ...planRoutes(context),
    ...fleetRoutes(context),
    instanceRoute(context),
    instanceReportRoute(context),
    ...instanceDrainRoutes(context),
    checkinRoute(context),
    fileMappingsRoute(context),
    imageRollRoute(context),
  ];
}
