import { isActive, listAutoscaleEntries, listTransitions, nextTransition } from '@headroom/core';
import type { Route } from '../http-api.js';
import type { ServiceContext } from '../service-context.js';

const WEEK_MS = 7 * 86_400_000;

/** `GET /api/v1/plan` (recent passes of the leader) and `GET /api/v1/schedule` (the week ahead). */
export function planRoutes(context: ServiceContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/v1/plan',
      access: 'read',
      handle: async () => ({
        status: 200,
        body: {
          holderId: context.holderId,
          leader: context.isLeader(),
          currentLeader: await context.currentLeader(),
          dryRun: context.dryRun,
          last: context.history.entries[0] ?? null,
          lastWithActions: context.history.lastWithActions,
          history: context.history.entries,
        },
      }),
    },
    {
      method: 'GET',
      path: '/api/v1/schedule',
      access: 'read',
      handle: () => {
        const atMs = context.clock.now();
        const configs = listAutoscaleEntries(context.config().config).map(({ pool, autoscale }) => ({
          pool: pool.id,
          autoscale: autoscale.id,
          enabled: autoscale.enabled,
          active: autoscale.enabled && isActive(autoscale.schedules, atMs),
          nextTransition: autoscale.enabled ? (nextTransition(autoscale.schedules, atMs) ?? null) : null,
          transitions: autoscale.enabled
            ? listTransitions(autoscale.schedules, atMs, atMs + WEEK_MS).map((transition) => ({
                at: new Date(transition.atMs).toISOString(),
                active: transition.active,
              }))
            : [],
        }));
        return { status: 200, body: { at: new Date(atMs).toISOString(), configs } };
      },
    },
  ];
}
