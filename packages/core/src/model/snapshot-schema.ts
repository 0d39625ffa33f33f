import { z } from 'zod';
import { mapZodIssues } from '../config/zod-issues.js';
import { ConfigError } from '../errors/config-error.js';
import type { PlannerState } from '../planner/planner-state.js';
import { type FleetSnapshot, INSTANCE_STATES, STATIC_MEMBER } from './instance.js';
import { RESOURCE_LIMITS } from './resources.js';

const latestInstantMs = Date.UTC(2200, 0, 1);
/** An ISO-8601 instant in 1970–2199: anything else is a mistake that would break time arithmetic. */
const instant = () =>
  z.string({ error: 'must be an ISO-8601 instant' }).refine(
    (value) => {
      const ms = Date.parse(value);
      return !Number.isNaN(ms) && ms >= 0 && ms < latestInstantMs;
    },
    { error: 'must be an ISO-8601 instant between 1970 and 2199' },
  );
const amount = (max: number) =>
  z
    .number({ error: 'must be a number' })
    .min(0, { error: 'must be ≥ 0' })
    .max(max, { error: `must be ≤ ${max}` });
const cores = () => amount(RESOURCE_LIMITS.maxCores);
const memoryMb = () => amount(RESOURCE_LIMITS.maxMemoryMb);
const gpus = () => amount(RESOURCE_LIMITS.maxGpus);

export const sessionSchema = z.object({
  id: z.string(),
  user: z.string().optional(),
  workspace: z.string().optional(),
  cores: cores().default(0),
  memoryMb: memoryMb().default(0),
  gpus: gpus().default(0),
  staged: z.boolean().default(false),
  createdAt: instant().optional(),
  zone: z.string().optional(),
  stagingConfig: z.string().optional(),
});

export const instanceSchema = z.object({
  id: z.string().min(1),
  pool: z.string(),
  /** Absent for a static member (a server Headroom did not create). */
  autoscale: z.string().default(STATIC_MEMBER),
  provider: z.string().default(''),
  state: z.enum(INSTANCE_STATES as [string, ...string[]], { error: `must be one of ${INSTANCE_STATES.join(', ')}` }),
  checkedIn: z.boolean().default(false),
  createdAt: instant(),
  capacity: z.object({ cores: cores().default(0), memoryMb: memoryMb().default(0), gpus: gpus().default(0) }),
  sessions: z.array(sessionSchema).default([]),
  address: z.string().optional(),
  zone: z.string().optional(),
  images: z
    .array(
      z.object({
        reference: z.string().min(1).max(512),
        digest: z.string().max(100).optional(),
        pulledAt: instant().optional(),
        state: z.enum(['present', 'pulling']).optional(),
      }),
    )
    .max(1000)
    .optional(),
  sessionEnded: z.boolean().optional(),
});

export const queuedRequestSchema = z.object({
  pool: z.string(),
  cores: cores().default(0),
  memoryMb: memoryMb().default(0),
  gpus: gpus().default(0),
  since: instant(),
  workspace: z.string().optional(),
  user: z.string().optional(),
  zone: z.string().optional(),
});

export const fleetSnapshotSchema = z.object({
  at: instant(),
  instances: z.array(instanceSchema).default([]),
  queued: z.array(queuedRequestSchema).default([]),
});

const autoscaleStateSchema = z.object({
  surplusSince: instant().nullable().default(null),
  consecutiveFailures: z.number().int().min(0).default(0),
  lastFailureAt: instant().nullable().default(null),
  createBlockedUntil: instant().nullable().default(null),
});

const stagingRequestSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('stage'),
    instanceId: z.string(),
    count: z.number().int().min(1).max(10000),
    requestedAt: instant(),
  }),
  z.object({ kind: z.literal('destroy'), instanceId: z.string(), sessionId: z.string(), requestedAt: instant() }),
]);

export const plannerStateSchema = z.object({
  autoscale: z.record(z.string(), autoscaleStateSchema).default({}),
  staging: z.record(z.string(), z.object({ inFlight: z.array(stagingRequestSchema).max(10000) })).optional(),
  imagePins: z
    .record(z.string().max(64), z.string().regex(/^sha256:[a-f0-9]{64}$/, { error: 'must be sha256:<64 hex digits>' }))
    .optional(),
});

function parseWith<T>(schema: z.ZodType<T>, input: unknown, source: string | undefined): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError({
    issues: mapZodIssues(result.error),
    ...(source ? { source } : {}),
  });
}

/** Validates a fleet snapshot (DESIGN §4). @throws ConfigError listing every problem by path. */
export function parseSnapshot(input: unknown, options: { source?: string } = {}): FleetSnapshot {
  const snapshot = parseWith(fleetSnapshotSchema, input, options.source) as FleetSnapshot;
  const seen = new Set<string>();
  const duplicates = snapshot.instances.flatMap((instance, index) => {
    if (!seen.has(instance.id)) {
      seen.add(instance.id);
      return [];
    }
    return [{ path: `instances[${index}].id`, message: `duplicate instance id "${instance.id}"` }];
  });
  if (duplicates.length)
    throw new ConfigError({ issues: duplicates, ...(options.source ? { source: options.source } : {}) });
  return snapshot;
}

/** Validates planner state read back from a file or store. */
export function parsePlannerState(input: unknown, options: { source?: string } = {}): PlannerState {
  return parseWith(plannerStateSchema, input, options.source);
}
