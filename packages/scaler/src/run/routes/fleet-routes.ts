import { withOperatorDrain } from '@headroom/core';
import type { Route } from '../http-api.js';
import type { ServiceContext } from '../service-context.js';

/** Largest fleet snapshot accepted by `PUT /api/v1/fleet`. */
export const MAX_SNAPSHOT_BYTES = 16 * 1024 * 1024;

/** `GET /api/v1/fleet` (the fleet as the planner sees it, operator drains included, plus the ledger) and `PUT` (push a snapshot). */
export function fleetRoutes(context: ServiceContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/fleet',
      access: 'read',
      handle: async () => {
        const snapshot = await context.inventory.getSnapshot({ now: context.clock.now() });
        const ledger = await context.store.listInstances();
        const byId = new Map(ledger.map((entry) => [entry.id, entry] as const));
        return {
          status: 200,
          body: {
            ...snapshot,
            // As the planner sees them: an instance an operator drained is `draining`.
            instances: snapshot.instances.map((instance) => withOperatorDrain(instance, byId.get(instance.id))),
            input: context.inventory.status(),
            // Connection secrets are answered only by GET /api/v1/instances/{id}, with the API token.
            ledger: ledger.map(({ connectionSecret: _secret, ...entry }) => entry),
          },
        };
      },
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
