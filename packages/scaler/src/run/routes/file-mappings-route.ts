import type { Route } from '../http-api.js';
import type { ServiceContext } from '../service-context.js';
import { authorizeCheckinToken } from './authorize-checkin-token.js';

/**
 * `GET /api/admin/get_server_file_mappings?token=…`: what Kasm's Windows desktop-service script
 * asks before it registers (and it stops when this fails). Answered for a valid check-in token
 * with `checkin.fileMappings` (empty unless configured); 401 otherwise. Any replica answers.
 */
export function fileMappingsRoute(context: ServiceContext): Route<{ instanceId: string }> {
  return {
    method: 'GET',
    path: '/api/admin/get_server_file_mappings',
    access: 'custom',
    authorize: (request) => authorizeCheckinToken(context, request),
    handle: () => ({
      status: 200,
      body: { file_mappings: context.config().settings.checkin?.fileMappings ?? [] },
    }),
  };
}
