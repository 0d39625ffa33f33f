import { type ApiRequest, HttpError } from '../http-api.js';
import type { ServiceContext } from '../service-context.js';

/**
 * The ledger id of the instance whose check-in token the request carries (`?token=`, as Kasm's
 * scripts send it). A missing, malformed, forged, expired or foreign token, or one naming an
 * instance the ledger does not hold, is counted, logged (without the token) and refused with 401.
 */
export async function authorizeCheckinToken(
  context: ServiceContext,
  request: Omit<ApiRequest, 'body' | 'principal'>,
): Promise<{ instanceId: string }> {
  const tokens = context.tokens();
  const verification = tokens
    ? await tokens.verify({ token: request.query.get('token') ?? undefined, nowMs: context.clock.now() })
    : ({ ok: false, refusal: 'missing' } as const);
  let refusal = verification.ok ? undefined : verification.refusal;
  if (verification.ok) {
    const claimed = verification.instanceId;
    const known = (await context.store.listInstances()).find(
      (instance) => instance.id === claimed || instance.providerInstanceId === claimed,
    );
    if (known) return { instanceId: known.id };
    refusal = 'foreign';
  }
  context.metrics.observeCheckin('refused');
  context.logger.warn('check-in refused', { refusal, remoteAddress: request.remoteAddress, path: request.path });
  throw new HttpError({ status: 401, message: 'invalid check-in token' });
}
