import { HttpError, type Route } from '../http-api.js';
import type { ServiceContext } from '../service-context.js';
import { authorizeCheckinToken } from './authorize-checkin-token.js';

/** A check-in body is three short fields. */
const MAX_CHECKIN_BYTES = 4096;

/** `status`, `status_message` and `status_progress` of a body, bounded (any other field is ignored). */
function statusOf(body: unknown): { status: string; message?: string; progress?: string } {
  const fields = (body ?? {}) as { status?: unknown; status_message?: unknown; status_progress?: unknown };
  const status = typeof fields.status === 'string' && fields.status !== '' ? fields.status.slice(0, 40) : 'running';
  const progress =
    typeof fields.status_progress === 'string' || typeof fields.status_progress === 'number'
      ? String(fields.status_progress).slice(0, 10)
      : undefined;
  return {
    status,
    ...(typeof fields.status_message === 'string' ? { message: fields.status_message.slice(0, 200) } : {}),
    ...(progress !== undefined ? { progress } : {}),
  };
}

/** A follower's check-in, kept in the store until the leader's next tick applies it. */
async function keepForLeader(
  context: ServiceContext,
  checkin: { instanceId: string; at: number; status: ReturnType<typeof statusOf> },
): Promise<void> {
  const at = new Date(checkin.at).toISOString();
  await context.store.putPendingCheckin({
    checkin: {
      instanceId: checkin.instanceId,
      ...(checkin.status.status === 'running' ? { checkedInAt: at } : {}),
      status: { ...checkin.status, at },
    },
  });
}

/**
 * `POST /api/set_server_status?token=…`: the startup script reports its status; `running` marks
 * the instance checked in. Every status is kept (`status`, `status_message`, `status_progress`)
 * in the instance's ledger entry. The token (query string, as the agents send it) is verified and
 * the instance looked up in the ledger before the body is read, on every replica. The leader
 * records the check-in; a follower keeps it in the store (`StateStore.putPendingCheckin`) for the
 * leader's next tick, so a check-in is not lost whichever replica a balancer picks (Kasm's
 * scripts send it once).
 */
export function checkinRoute(context: ServiceContext): Route<{ instanceId: string }> {
  return {
    method: 'POST',
    path: '/api/set_server_status',
    access: 'custom',
    maxBodyBytes: MAX_CHECKIN_BYTES,
    authorize: (request) => authorizeCheckinToken(context, request),
    handle: async (request) => {
      const { instanceId } = request.principal;
      const status = statusOf(request.body);
      const at = context.clock.now();
      const follower = context.leaderElector !== undefined && !context.isLeader();
      try {
        if (follower) await keepForLeader(context, { instanceId, at, status });
        else await context.autoscaler.recordCheckin({ instanceId, at, status });
      } catch (error) {
        context.logger.warn('check-in not recorded', { instanceId, error: (error as Error).message });
        throw new HttpError({ status: 503, message: 'check-in could not be recorded on this replica; retry' });
      }
      context.metrics.observeCheckin('accepted');
      context.logger.info('check-in', {
        instanceId,
        ...(follower ? { keptForLeader: true } : {}),
        status: status.status,
        ...(status.message !== undefined ? { statusMessage: status.message } : {}),
        ...(status.progress !== undefined ? { statusProgress: status.progress } : {}),
      });
      return { status: 200, body: { status: 'ok' } };
    },
  };
}
