import {
  ConfigError,
  type ConfigIssue,
  formatConfigPath,
  type HeadroomConfig,
  secretSchema,
  upstreamAuthAddressProblem,
} from '@headroom/core';
import { z } from 'zod';

const positiveNumber = () => z.number({ error: 'must be a number' }).gt(0, { error: 'must be > 0' });
const nonNegativeInteger = () =>
  z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(0, { error: 'must be ≥ 0' });

const MAX_TOKEN_VALIDITY_SECONDS = 7 * 86_400;

/** `host:port` the API listens on. Port 0 picks a free port. */
const listenSchema = z
  .string({ error: 'must be "host:port", e.g. 127.0.0.1:8080' })
  .regex(/^(\[[0-9a-f:]+\]|[a-z0-9.-]+):\d{1,5}$/i, { error: 'must be "host:port", e.g. 127.0.0.1:8080' })
  .refine((value) => Number(value.slice(value.lastIndexOf(':') + 1)) <= 65535, { error: 'port must be ≤ 65535' });

export const scalerSectionSchema = z.strictObject({
  /** Seconds between reconcile passes. */
  intervalSeconds: positiveNumber().default(30),
  /** Plans and reports without calling any mutating provider method. */
  dryRun: z.boolean().default(false),
  orphans: z
    .strictObject({
      mode: z.enum(['destroy', 'report'], { error: 'must be "destroy" or "report"' }).default('destroy'),
      graceSeconds: nonNegativeInteger().default(600),
    })
    .default({ mode: 'destroy', graceSeconds: 600 }),
  /**
   * Seconds an open create intent of an earlier process may stay without a tagged instance before
   * it is failed (and its computer record deleted).
   */
  intentGraceSeconds: nonNegativeInteger().max(86_400, { error: 'must be ≤ 86400' }).default(120),
  /** Seconds without a report after which a reporting instance counts as failed (and is replaced). */
  reportTimeoutSeconds: positiveNumber().default(120),
  /** Value of the `headroom-managed-by` tag; separates deployments sharing an account. */
  managedBy: z.string().min(1).default('headroom'),
});

export const stateSectionSchema = z.union(
  [
    z.strictObject({ sqlite: z.string({ error: 'must be the path of the database file' }).min(1) }),
    z.strictObject({ postgres: z.strictObject({ url: secretSchema, schema: z.string().optional() }) }),
  ],
  { error: 'must be { sqlite: PATH } or { postgres: { url } }' },
);

export const apiSectionSchema = z.strictObject({
  listen: listenSchema.default('127.0.0.1:8080'),
  /** Bearer token required by mutating endpoints (and read-only ones unless `publicReadOnly`). */
  token: secretSchema.optional(),
  /** Serves GET endpoints (plan, schedule, fleet, metrics) without a token. */
  publicReadOnly: z.boolean().default(false),
  /**
   * Serves HTTPS with this PEM certificate (chain) and key; both files are re-read on SIGHUP and
   * when they change.
   */
  tls: z
    .strictObject({
      certFile: z.string({ error: 'must be the path of a PEM certificate file' }).min(1),
      keyFile: z.string({ error: 'must be the path of a PEM private key file' }).min(1),
    })
    .optional(),
});

export const inventorySectionSchema = z.strictObject({
  /** URL returning the fleet snapshot (DESIGN §4) as JSON. */
  url: z.url({ error: 'must be an http(s) URL' }),
  intervalSeconds: positiveNumber().default(15),
  /** Bearer token sent to the URL. */
  token: secretSchema.optional(),
});

export const checkinSectionSchema = z.strictObject({
  /** HS256 key check-in tokens are signed with (at least 32 characters). */
  signingKey: secretSchema,
  /** Value of the `{upstream_auth_address}` startup-script placeholder: host[:port], no scheme. */
  upstreamAuthAddress: z
    .string()
    .superRefine((value, context) => {
      const problem = upstreamAuthAddressProblem(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  /** Value of `{manager_token}`: the registration secret Kasm's docker agents present to the control plane. */
  managerToken: secretSchema.optional(),
  /** What `GET /api/admin/get_server_file_mappings` answers to a server's check-in token (Kasm's file mapping objects). */
  fileMappings: z
    .array(z.record(z.string(), z.unknown()), { error: 'must be a list of file mapping objects' })
    .max(100, { error: 'must list at most 100 file mappings' })
    .default([]),
  /** Validity of an issued token, and the maximum age of any token presented (at most 7 days). */
  tokenValiditySeconds: positiveNumber()
    .max(MAX_TOKEN_VALIDITY_SECONDS, { error: `must be ≤ ${MAX_TOKEN_VALIDITY_SECONDS} (7 days)` })
    .default(4 * 3600),
});

export type ScalerSection = z.output<typeof scalerSectionSchema>;
export type StateSection = z.output<typeof stateSectionSchema>;
export type ApiSection = z.output<typeof apiSectionSchema>;
export type InventorySection = z.output<typeof inventorySectionSchema>;
export type CheckinSection = z.output<typeof checkinSectionSchema>;

/** The service's own sections of the config, with defaults applied. */
export interface RunSettings {
  scaler: ScalerSection;
  state?: StateSection;
  api: ApiSection;
  inventory?: InventorySection;
  checkin?: CheckinSection;
}

function check<T>(schema: z.ZodType<T>, section: string, input: unknown, issues: ConfigIssue[]): T | undefined {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        issues.push({ path: formatConfigPath([section, ...issue.path, key]), message: 'unknown field' });
      continue;
    }
    const message =
      issue.code === 'invalid_type' && /received undefined/i.test(issue.message) ? 'is required' : issue.message;
    issues.push({ path: formatConfigPath([section, ...issue.path]), message });
  }
  return undefined;
}

/**
 * Validates the `scaler`, `state`, `api`, `inventory` and `checkin` sections.
 * @throws ConfigError listing every problem by path.
 */
export function parseRunSettings(config: HeadroomConfig, options: { source?: string } = {}): RunSettings {
  const issues: ConfigIssue[] = [];
  const scaler = check(scalerSectionSchema, 'scaler', config.scaler ?? {}, issues);
  const state = config.state === undefined ? undefined : check(stateSectionSchema, 'state', config.state, issues);
  const api = check(apiSectionSchema, 'api', config.api ?? {}, issues);
  const inventory =
    config.inventory === undefined ? undefined : check(inventorySectionSchema, 'inventory', config.inventory, issues);
  const checkin =
    config.checkin === undefined ? undefined : check(checkinSectionSchema, 'checkin', config.checkin, issues);
  const requiresCheckin = (config.pools ?? []).some((pool) =>
    pool.autoscale.some((autoscale) => autoscale.requireCheckin),
  );
  if (requiresCheckin && config.checkin === undefined) {
    issues.push({
      path: 'checkin',
      message: 'is required when an autoscale config sets requireCheckin (give checkin.signingKey)',
    });
  }
  if (issues.length > 0 || !scaler || !api)
    throw new ConfigError({ issues, ...(options.source ? { source: options.source } : {}) });
  return {
    scaler,
    api,
    ...(state ? { state } : {}),
    ...(inventory ? { inventory } : {}),
    ...(checkin ? { checkin } : {}),
  };
}
