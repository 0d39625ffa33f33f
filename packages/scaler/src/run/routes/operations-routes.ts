import type { Route } from '../http-api.js';
import type { ServiceContext } from '../service-context.js';

/** `/healthz` (the process answers), `/readyz` (store reachable, leader known) and `/metrics`. */
export function operationsRoutes(context: ServiceContext): Route[] {
  return [
    { method: 'GET', path: '/healthz', access: 'open', handle: () => ({ status: 200, body: { status: 'ok' } }) },
    {
      method: 'GET',
      path: '/readyz',
      access: 'open',
      handle: async (request) => {
        const checks: Record<string, string> = {};
        try {
          await context.store.getPlannerState();
          checks.store = 'ok';
        } catch (error) {
          checks.store = `unreachable: ${context.logger.redact((error as Error).message)}`;
        }
        const current = await context.currentLeader();
        checks.leader = current ? `known (${current.holderId}, epoch ${current.epoch})` : 'unknown';
        let ready = checks.store === 'ok' && current !== null;
        // `?leader=1` is ready only on the leader: a load balancer can route leader-only writes with it.
        if (request.query.get('leader') === '1' && !context.isLeader()) {
          checks.role = 'follower';
          ready = false;
        }
        return {
          status: ready ? 200 : 503,
          body: { ready, checks, holderId: context.holderId, leader: context.isLeader() },
        };
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      access: 'read',
      handle: async () => {
        await context.refreshStateMetrics();
        return {
          status: 200,
          text: await context.metrics.registry.metrics(),
          contentType: context.metrics.registry.contentType,
        };
      },
    },
  ];
}
