import { type LedgerInstance, listAutoscaleEntries } from '@headroom/core';
import { z } from 'zod';
import { HttpError, type Route } from '../http-api.js';
import type { ServiceContext } from '../service-context.js';

/** A drain request carries nothing; a small body (`{}`) is tolerated and ignored. */
const MAX_DRAIN_BYTES = 1024;

/** The answer of `POST /api/v1/instances/{id}/drain|undrain`. */
export const drainResponseSchema = z.object({
  instanceId: z.string(),
  drained: z.boolean(),
  operatorDrainedAt: z.string().meta({ format: 'date-time' }).optional(),
});

/**
 * Why `instance` cannot be drained or undrained by an operator, or undefined when it can: only a
 * running (or draining) instance of an enabled autoscale config of the config in force (docker
 * agents and servers are the two kinds).
 */
function refusalOf(context: ServiceContext, instance: LedgerInstance): string | undefined {
  const entry = listAutoscaleEntries(context.config().config).find(
    (candidate) => candidate.pool.id === instance.pool && candidate.autoscale.id === instance.autoscale,
  );
  if (!entry) return `${instance.id} belongs to ${instance.pool}/${instance.autoscale}, which the config no longer has`;
  if (!entry.autoscale.enabled)
    return `${instance.id} belongs to ${instance.pool}/${instance.autoscale}, which is disabled`;
  if (instance.state !== 'running' && instance.state !== 'draining')
    return `${instance.id} is ${instance.state}, not running: only a running instance can be drained or undrained`;
  return undefined;
}

/**
 * `POST /api/v1/instances/{id}/drain` and `/undrain` (API token, checked before the body is read;
 * Headroom id or provider instance id): an operator's drain is written to the ledger
 * (`operatorDrainedAt`) by the leader's next pass, which the request waits for. The planner then
 * sees the instance `draining` (no new sessions, removed once empty) and never undrains it; the
 * undrain clears it. 404 for an id the ledger does not hold, 409 for an instance that is not a
 * running docker agent or server of an enabled config, 503 on a follower or when the pass failed.
 */
export function instanceDrainRoutes(context: ServiceContext): Route[] {
  return [drainRoute(context, true), drainRoute(context, false)];
}

function drainRoute(context: ServiceContext, drained: boolean): Route {
  const verb = drained ? 'drain' : 'undrain';
  return {
    method: 'POST',
    path: `/api/v1/instances/:id/${verb}`,
    access: 'write',
    maxBodyBytes: MAX_DRAIN_BYTES,
    handle: async (request) => {
      const id = request.params.id ?? '';
      const instance = (await context.store.listInstances()).find(
        (candidate) => candidate.id === id || candidate.providerInstanceId === id,
      );
      if (!instance) throw new HttpError({ status: 404, message: `the ledger does not hold instance ${id}` });
      const refusal = refusalOf(context, instance);
      if (refusal) throw new HttpError({ status: 409, message: `cannot ${verb}: ${refusal}` });
      if (context.leaderElector && !context.isLeader())
        throw new HttpError({ status: 503, message: `this replica is a follower; send the ${verb} to the leader` });
      const written = await context.autoscaler.recordOperatorDrain({
        instanceId: instance.id,
        drained,
        at: context.clock.now(),
      });
      if (!written)
        throw new HttpError({ status: 503, message: `the ${verb} of ${instance.id} was not recorded; retry` });
      const recorded = (await context.store.listInstances()).find((candidate) => candidate.id === instance.id);
      context.logger.info(drained ? 'instance drained by operator' : 'instance undrained by operator', {
        instanceId: instance.id,
      });
      return {
        status: 200,
        body: {
          instanceId: instance.id,
          drained,
          ...(recorded?.operatorDrainedAt ? { operatorDrainedAt: recorded.operatorDrainedAt } : {}),
        },
      };
    },
  };
}
