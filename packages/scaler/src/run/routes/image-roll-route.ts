import { HttpError, type Route } from '../http-api.js';
import { ImagePinError } from '../image-pins.js';
import type { ServiceContext } from '../service-context.js';

/**
 * `POST /api/v1/images/{workspace}/roll` (API token): moves the workspace's digest pin to what its
 * tag points at now. The plans then ramp: new agents pull the new digest, idle agents on the old
 * one re-pull, busy ones take no new sessions. Only the leader rolls (its next tick stores the pin).
 */
export function imageRollRoute(context: ServiceContext): Route {
  return {
    method: 'POST',
    path: '/api/v1/images/:workspace/roll',
    access: 'write',
    maxBodyBytes: 1024,
    handle: async (request) => {
      if (!context.isLeader()) {
        throw new HttpError({ status: 409, message: 'this replica does not lead: send the roll to the leader' });
      }
      try {
        const roll = await context.imagePins.roll(request.params.workspace ?? '');
        return { status: 200, body: roll };
      } catch (error) {
        if (error instanceof ImagePinError) throw new HttpError({ status: error.status, message: error.message });
        throw error;
      }
    },
  };
}
