import { UnknownInstanceError } from '../fleet-inventory.js';
import { HttpError, type Route } from '../http-api.js';
import type { ServiceContext } from '../service-context.js';

/** Largest report body (sessions of one instance). */
const MAX_REPORT_BYTES = 1024 * 1024;

/**
 * `POST /api/v1/instances/{id}/report`: an agent states its sessions. Authorized by the API token
 * or the instance's own check-in token, and only for an instance the ledger holds — before the
 * body is read.
 */
export function instanceReportRoute(context: ServiceContext): Route<{ instanceId: string }> {
  return {
    method: 'POST',
    path: '/api/v1/instances/:id/report',
    access: 'custom',
    maxBodyBytes: MAX_REPORT_BYTES,
    authorize: async (request) => {
      const instanceId = request.params.id ?? '';
      if (!request.hasApiToken) {
        const tokens = context.tokens();
        const verification = tokens
          ? await tokens.verify({ token: request.bearerToken, nowMs: context.clock.now() })
          : undefined;
        if (!verification?.ok || verification.instanceId !== instanceId) {
          context.logger.warn('instance report refused', { instanceId, remoteAddress: request.remoteAddress });
          throw new HttpError({
            status: 401,
            message: 'a valid bearer token (API token or the instance check-in token) is required',
          });
        }
      }
      const known = (await context.store.listInstances()).some(
        (instance) => instance.id === instanceId && instance.state !== 'destroying',
      );
      if (!known) throw new HttpError({ status: 404, message: new UnknownInstanceError(instanceId).message });
      return { instanceId };
    },
    handle: async (request) => {
      const { instanceId } = request.principal;
      try {
        const nowMs = context.clock.now();
        const instance = await context.inventory.report({ instanceId, input: request.body, nowMs });
        context.metrics.observeReport();
        return { status: 200, body: { accepted: true, instance } };
      } catch (error) {
        if (error instanceof UnknownInstanceError) throw new HttpError({ status: 404, message: error.message });
        throw error;
      }
    },
  };
}
