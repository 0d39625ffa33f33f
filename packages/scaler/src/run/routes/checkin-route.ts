import { HttpError, type Route } from '../http-api.js';
import type { ServiceContext } from '../service-context.js';

/** A check-in body is three short fields. */
const MAX_CHECKIN_BYTES = 4096;

/**
 * `POST /api/set_server_status?token=…`: the startup script reports the instance up. The token
 * (query string, as the agents send it) is verified and the instance looked up in the ledger
 * before the body is read; a follower answers 503 so the agent retries on the leader.
 */
export function checkinRoute(context: ServiceContext): Route<{ instanceId: string }> {
  return {
    method: 'POST',
    path: '/api/set_server_status',
    access: 'custom',
    maxBodyBytes: MAX_CHECKIN_BYTES,
    authorize: async (request) => {
      const tokens = context.tokens();
      const verification = tokens
        ? await tokens.verify({ token: request.query.get('token') ?? undefined, nowMs: context.clock.now() })
        : ({ ok: false, refusal: 'missing' } as const);
      let refusal = verification.ok ? undefined : verification.refusal;
      let instanceId: string | undefined;
      if (verification.ok) {
        const claimed = verification.instanceId;
        const known = (await context.store.listInstances()).find(
          (instance) => instance.id === claimed || instance.providerInstanceId === claimed,
        );
        if (known) instanceId = known.id;
        else refusal = 'foreign';
      }
      if (instanceId === undefined) {
        context.metrics.observeCheckin('refused');
        context.logger.warn('check-in refused', { refusal, remoteAddress: request.remoteAddress });
        throw new HttpError({ status: 401, message: 'invalid check-in token' });
      }
      if (context.leaderElector && !context.isLeader()) {
        // A follower cannot write the check-in to the store; the agent retries (through a balancer, on the leader).
        throw new HttpError({ status: 503, message: 'this replica is a follower; send check-ins to the leader' });
      }
      return { instanceId };
    },
    handle: async (request) => {
      const { instanceId } = request.principal;
      const body = (request.body ?? {}) as { status?: unknown; status_message?: unknown; status_progress?: unknown };
      const status = typeof body.status === 'string' ? body.status.slice(0, 40) : 'running';
      if (status === 'running') {
        try {
          await context.autoscaler.recordCheckin({ instanceId, at: context.clock.now() });
        } catch (error) {
          context.logger.warn('check-in not recorded', { instanceId, error: (error as Error).message });
          throw new HttpError({ status: 503, message: 'check-in could not be recorded on this replica; retry' });
        }
      }
      context.metrics.observeCheckin('accepted');
      context.logger.info('check-in', {
        instanceId,
        status,
        ...(typeof body.status_message === 'string' ? { statusMessage: body.status_message.slice(0, 200) } : {}),
        ...(body.status_progress !== undefined ? { statusProgress: String(body.status_progress).slice(0, 10) } : {}),
      });
      return { status: 200, body: { status: 'ok' } };
    },
  };
}
