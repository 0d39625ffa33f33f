import { fleetSnapshotSchema } from '@headroom/core';
import { z } from 'zod';
import { VERSION } from '../version.js';
import {
  checkinRequestSchema,
  checkinResponseSchema,
  errorResponseSchema,
  fileMappingsResponseSchema,
  fleetPushResponseSchema,
  fleetResponseSchema,
  healthResponseSchema,
  imageRollResponseSchema,
  planResponseSchema,
  readinessResponseSchema,
  reportResponseSchema,
  scheduleResponseSchema,
} from './api-schemas.js';
import { instanceReportSchema } from './fleet-inventory.js';
import { drainResponseSchema } from './routes/instance-drain-routes.js';
import { instanceResponseSchema } from './routes/instance-route.js';

type Io = 'input' | 'output';
const schemaOf = (schema: z.ZodType, io: Io) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' });
  return rest;
};
const json = (schema: z.ZodType, io: Io) => ({ 'application/json': { schema: schemaOf(schema, io) } });
const answer = (description: string, schema: z.ZodType) => ({ description, content: json(schema, 'output') });
const error = (description: string) => answer(description, errorResponseSchema);
const readSecurity = [{ bearer: [] }, {}];

/** `POST /api/v1/instances/{id}/drain` or `/undrain`. */
const drainPath = (drained: boolean) => ({
  post: {
    summary: drained
      ? 'An operator drains an instance: no new sessions, removed once empty; the planner never undrains it'
      : "An operator undrains an instance: it takes sessions again (clears the operator's drain)",
    security: [{ bearer: [] }],
    parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
    responses: {
      200: answer(
        drained ? 'drained (written to the ledger)' : 'undrained (written to the ledger)',
        drainResponseSchema,
      ),
      401: error('token missing or wrong'),
      403: error('api.token is not configured'),
      404: error('the ledger does not hold this instance'),
      409: error('not a running docker agent or server of an enabled config'),
      413: error('body too large'),
      503: error('this replica is a follower, or the pass that writes the drain failed'),
    },
  },
});

/**
 * The OpenAPI 3.1 document of `/api/v1/*`, the check-in endpoint and the operations endpoints,
 * generated from the zod schemas the service validates and answers with.
 */
export function createOpenApiDocument(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Headroom API',
      version: VERSION,
      description: 'headroom run: plan, schedule and fleet views, fleet input, instance reports and check-ins.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'api.token' },
        checkinToken: { type: 'apiKey', in: 'query', name: 'token', description: 'per-instance check-in JWT' },
        instanceToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'check-in JWT' },
      },
    },
    paths: {
      '/healthz': {
        get: { summary: 'The process answers', responses: { 200: answer('alive', healthResponseSchema) } },
      },
      '/readyz': {
        get: {
          summary: 'Store reachable and leader known (`?leader=1`: only the leader is ready)',
          parameters: [{ name: 'leader', in: 'query', required: false, schema: { type: 'string', enum: ['1'] } }],
          responses: {
            200: answer('ready', readinessResponseSchema),
            503: answer('not ready', readinessResponseSchema),
          },
        },
      },
      '/api/v1/openapi.json': {
        get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1 document' } } },
      },
      '/api/v1/plan': {
        get: {
          summary: 'Recent reconcile passes of this replica as leader',
          security: readSecurity,
          responses: { 200: answer('plan view', planResponseSchema), 401: error('token missing or wrong') },
        },
      },
      '/api/v1/schedule': {
        get: {
          summary: 'Schedules: active now, next transition, transitions of the week ahead',
          security: readSecurity,
          responses: { 200: answer('schedule view', scheduleResponseSchema), 401: error('token missing or wrong') },
        },
      },
      '/api/v1/fleet': {
        get: {
          summary: 'The fleet as the planner sees it, the input status and the ledger',
          security: readSecurity,
          responses: { 200: answer('fleet view', fleetResponseSchema), 401: error('token missing or wrong') },
        },
        put: {
          summary: 'Push a whole fleet snapshot (up to 16 MiB)',
          security: [{ bearer: [] }],
          requestBody: { required: true, content: json(fleetSnapshotSchema, 'input') },
          responses: {
            200: answer('accepted', fleetPushResponseSchema),
            400: error('invalid snapshot, issues by path'),
            401: error('token missing or wrong'),
            403: error('api.token is not configured'),
            413: error('body too large'),
          },
        },
      },
      '/api/v1/instances/{id}': {
        get: {
          summary:
            'The ledger record of an instance and, for a server, its connection details; secrets only with the API token',
          security: readSecurity,
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: answer('the instance', instanceResponseSchema),
            401: error('missing or wrong token (unless reads are public)'),
            404: error('the ledger does not hold this instance'),
          },
        },
      },
      '/api/v1/instances/{id}/report': {
        post: {
          summary: 'An instance states its sessions (up to 1 MiB); pool, config and shape come from the ledger',
          security: [{ bearer: [] }, { instanceToken: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: false, content: json(instanceReportSchema, 'input') },
          responses: {
            200: answer('recorded', reportResponseSchema),
            400: error('invalid report'),
            401: error('neither the API token nor the instance check-in token'),
            404: error('the ledger does not hold this instance'),
            413: error('body too large'),
          },
        },
      },
      '/api/v1/images/{workspace}/roll': {
        post: {
          summary:
            'Move the workspace digest pin to what its tag points at now (a ramp: new agents get it, agents on the old digest take no new sessions)',
          security: [{ bearer: [] }],
          parameters: [{ name: 'workspace', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: answer('rolled', imageRollResponseSchema),
            401: error('token missing or wrong'),
            403: error('api.token is not configured'),
            404: error('no such workspace'),
            409: error(
              'the workspace is not pinned by the service (no registry, or a digest in the config), or this replica does not lead',
            ),
            502: error('the registry did not answer'),
          },
        },
      },
      '/api/v1/instances/{id}/drain': drainPath(true),
      '/api/v1/instances/{id}/undrain': drainPath(false),
      '/api/set_server_status': {
        post: {
          summary:
            'Status of a new instance (startup script), token in the query string; `running` checks it in, every status is kept (a follower keeps it in the store for the leader)',
          security: [{ checkinToken: [] }],
          requestBody: { required: false, content: json(checkinRequestSchema, 'input') },
          responses: {
            200: answer('checked in', checkinResponseSchema),
            401: error('invalid, expired or foreign token'),
            413: error('body too large'),
            503: error('the store refused the write (a follower keeps the check-in in the store for the leader)'),
          },
        },
      },
      '/api/admin/get_server_file_mappings': {
        get: {
          summary:
            "File mappings of a new server (Kasm's Windows script asks before registering), token in the query string",
          security: [{ checkinToken: [] }],
          responses: {
            200: answer('the configured file mappings (empty unless configured)', fileMappingsResponseSchema),
            401: error('invalid, expired or foreign token'),
          },
        },
      },
    },
  };
}
