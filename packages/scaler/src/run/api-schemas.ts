import { fleetSnapshotSchema, INSTANCE_STATES, instanceSchema } from '@headroom/core';
import { z } from 'zod';

/** A number as the API writes it: non-finite values are the strings `Infinity`, `-Infinity`, `NaN`. */
const quantity = z.union([z.number(), z.enum(['Infinity', '-Infinity', 'NaN'])]);
const quantities = z.record(z.string(), quantity).meta({ description: 'cores/memoryMb/gpus, or sessions' });
const instant = z.string().meta({ format: 'date-time' });

export const errorResponseSchema = z.object({
  error: z.string(),
  details: z.unknown().optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export const healthResponseSchema = z.object({ status: z.literal('ok') });

export const readinessResponseSchema = z.object({
  ready: z.boolean(),
  checks: z.record(z.string(), z.string()),
  holderId: z.string(),
  leader: z.boolean(),
});

const leaderSchema = z.object({ holderId: z.string(), epoch: z.number() }).nullable();

const tickSummarySchema = z.object({
  at: instant,
  leader: z.boolean(),
  epoch: z.number().optional(),
  durationMs: z.number(),
  actions: z.record(z.string(), z.unknown()),
  errors: z.array(z.object({ scope: z.string(), message: z.string(), errorClass: z.string() })),
  warnings: z.array(z.string()).optional(),
  imageActions: z
    .array(
      z.object({
        type: z.enum(['pull-image', 'remove-image']),
        instanceId: z.string(),
        workspace: z.string().optional(),
        image: z.string(),
        reason: z.string(),
      }),
    )
    .optional()
    .meta({ description: 'image pulls and removals the control plane must do on agents' }),
  configs: z
    .array(
      z.object({
        pool: z.string(),
        autoscale: z.string(),
        provider: z.string(),
        kind: z.enum(['docker-agent', 'server']),
        enabled: z.boolean(),
        active: z.boolean(),
        need: quantities,
        available: quantities,
        pending: quantities,
        deficit: quantities,
        create: quantity,
        destroy: z.array(z.string()),
        drain: z
          .array(z.string())
          .meta({ description: 'instances the planner drains: the control plane places no new sessions on them' }),
        undrain: z.array(z.string()).meta({ description: 'draining instances the planner takes back' }),
        capped: z.boolean(),
        predictedStandby: quantities.optional().meta({
          description:
            'predictive standby: the demand growth learnt for this hour (cores/memoryMb/gpus); the standby planned with is the larger of it and the static standby; absent when nothing confident was learnt',
        }),
        reasons: z.array(z.string()),
        warnings: z.array(z.string()),
      }),
    )
    .optional(),
  staging: z
    .object({
      configs: z.array(
        z.object({
          staging: z.string(),
          pool: z.string(),
          autoscale: z.string(),
          zone: z.string(),
          workspace: z.string(),
          active: z.boolean(),
          desired: z.number(),
          staged: z.number(),
          pending: z.number(),
          actions: z.array(z.record(z.string(), z.unknown())),
          reasons: z.array(z.string()),
          warnings: z.array(z.string()),
        }),
      ),
      actions: z
        .array(
          z
            .object({
              type: z.enum(['stage', 'expire-staged', 'remove-staged']),
              staging: z.string().nullable(),
              pool: z.string(),
              zone: z.string(),
              workspace: z.string(),
              instanceId: z.string(),
              reason: z.string(),
            })
            .loose(),
        )
        .meta({ description: 'stage N sessions on an instance, expire or remove an unassigned staged session' }),
      warnings: z.array(z.string()),
    })
    .optional(),
});

export const planResponseSchema = z.object({
  holderId: z.string(),
  leader: z.boolean(),
  currentLeader: leaderSchema,
  dryRun: z.boolean(),
  last: tickSummarySchema.nullable(),
  lastWithActions: tickSummarySchema.nullable(),
  history: z.array(tickSummarySchema),
});

export const scheduleResponseSchema = z.object({
  at: instant,
  configs: z.array(
    z.object({
      pool: z.string(),
      autoscale: z.string(),
      enabled: z.boolean(),
      active: z.boolean(),
      nextTransition: z.number().nullable().meta({ description: 'Unix milliseconds' }),
      transitions: z.array(z.object({ at: instant, active: z.boolean() })),
    }),
  ),
});

const ledgerInstanceSchema = z.object({
  id: z.string(),
  providerInstanceId: z.string().optional(),
  pool: z.string(),
  autoscale: z.string(),
  provider: z.string(),
  state: z.enum(INSTANCE_STATES as [string, ...string[]]),
  shape: quantities,
  createdAt: instant,
  checkedInAt: instant.optional(),
  serverStatus: z
    .object({
      status: z.string(),
      message: z.string().optional(),
      progress: z.string().optional(),
      at: instant,
    })
    .optional()
    .meta({ description: 'the last status its startup script sent to /api/set_server_status' }),
  address: z.string().optional(),
  dnsName: z.string().optional(),
  intentKey: z.string(),
  serverId: z.string().optional().meta({ description: 'the {server_id} UUID of its startup script' }),
  operatorDrainedAt: instant
    .optional()
    .meta({ description: 'an operator drained it (POST /api/v1/instances/{id}/drain); cleared by undrain' }),
});

/** A fleet instance as the planner sees it: `drainedByOperator` when an operator drained it. */
const fleetInstanceSchema = instanceSchema.extend({ drainedByOperator: z.boolean().optional() });

export const fleetResponseSchema = fleetSnapshotSchema.extend({
  instances: z.array(fleetInstanceSchema),
  input: z.object({
    source: z.enum(['none', 'push', 'poll']),
    receivedAtMs: z.number().optional(),
    reportingInstances: z.number(),
    lastPollError: z.string().optional().meta({ description: 'origin and path of the URL only; no credentials' }),
  }),
  ledger: z.array(ledgerInstanceSchema),
});

export const fleetPushResponseSchema = z.object({
  accepted: z.literal(true),
  instances: z.number().int(),
  queued: z.number().int(),
});

export const reportResponseSchema = z.object({ accepted: z.literal(true), instance: instanceSchema });

export const checkinRequestSchema = z.object({
  status: z.string().optional().meta({ description: '`running` marks the instance checked in' }),
  status_message: z.string().optional(),
  status_progress: z.union([z.string(), z.number()]).optional(),
});

export const checkinResponseSchema = z.object({ status: z.literal('ok') });

export const fileMappingsResponseSchema = z.object({
  file_mappings: z.array(z.record(z.string(), z.unknown())).meta({ description: 'checkin.fileMappings' }),
});

export const imageRollResponseSchema = z.object({
  workspace: z.string(),
  previous: z.string().nullable().meta({ description: 'the pin before the roll; null when none was stored' }),
  digest: z.string().meta({ description: 'the digest the tag points at now: the new pin' }),
});
