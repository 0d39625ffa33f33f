import type { Route } from '../http-api.js';
import type { ServiceContext } from '../service-context.js';

/** Largest fleet snapshot accepted by `PUT /api/v1/fleet`. */
export const MAX_SNAPSHOT_BYTES = 16 * 1024 * 1024;

/** `GET /api/v1/fleet` (the fleet as the planner sees it, plus the ledger) and `PUT` (push a snapshot). */
export function fleetRoutes(context: ServiceContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/fleet',
      access: 'read',
      handle: async () => ({
        status: 200,
        body: {
          ...(await context.inventory.getSnapshot({ now: context.clock.now() })),
          input: context.inventory.status(),
          // Connection secrets are answered only by GET /api/v1/instances/{id}, with the API token.
          ledger: (await context.store.listInstances()).map(({ connectionSecret: _secret, ...entry }) => entry),
        },
      }),
    },
    {
      method: 'PUT',
      path: '/api/v1/fleet',
      access: 'write',
      maxBodyBytes: MAX_SNAPSHOT_BYTES,
      handle: (request) => {
        const snapshot = context.inventory.putSnapshot({ input: request.body, nowMs: context.clock.now() });
        return {
          status: 200,
          body: { accepted: true, instances: snapshot.instances.length, queued: snapshot.queued.length },
        };
      },
    },
  ];
}
