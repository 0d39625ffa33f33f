import { IANAZone } from 'luxon';
import { z } from 'zod';
import { RESOURCE_LIMITS } from '../model/resources.js';
import { sshPrivateKeyProblem } from './ssh-private-key-problem.js';
import { SSH_PUBLIC_KEY_PATTERN } from './ssh-public-key.js';

const nonNegative = () => z.number({ error: 'must be a number' }).min(0, { error: 'must be ≥ 0' });
const nonNegativeInteger = () => nonNegative().int({ error: 'must be a whole number' });
const positiveInteger = () => nonNegativeInteger().min(1, { error: 'must be ≥ 1' });
const identifier = () =>
  z.string({ error: 'must be a string' }).regex(/^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$/i, {
    error: 'must be 1–64 letters, digits, ".", "_" or "-", starting and ending with a letter or digit',
  });

/** A secret: inline, `{ env: NAME }` or `{ file: path }`. Resolved at the edge; never logged. */
export const secretSchema = z.union([
  z.string({ error: 'must be a string, { env: NAME } or { file: path }' }),
  z.strictObject({ env: z.string().min(1, { error: 'must name an environment variable' }) }),
  z.strictObject({ file: z.string().min(1, { error: 'must name a file' }) }),
]);

export const resourcesSchema = z.strictObject({
  cores: nonNegative()
    .max(RESOURCE_LIMITS.maxCores, { error: `must be ≤ ${RESOURCE_LIMITS.maxCores}` })
    .default(0),
  memoryMb: nonNegativeInteger()
    .max(RESOURCE_LIMITS.maxMemoryMb, { error: `must be ≤ ${RESOURCE_LIMITS.maxMemoryMb}` })
    .default(0),
  gpus: nonNegativeInteger()
    .max(RESOURCE_LIMITS.maxGpus, { error: `must be ≤ ${RESOURCE_LIMITS.maxGpus}` })
    .default(0),
});

const dayNames = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type DayOfWeek = (typeof dayNames)[number];
const fullDayNames = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

const daySchema = z.string({ error: 'must be a day name' }).transform((value, context): DayOfWeek => {
  const lower = value.trim().toLowerCase();
  const index = Math.max(dayNames.indexOf(lower as DayOfWeek), fullDayNames.indexOf(lower));
  if (index < 0) {
    context.addIssue({ code: 'custom', message: `unknown day "${value}" (use mon, tue, wed, thu, fri, sat, sun)` });
    return z.NEVER;
  }
  return dayNames[index]!;
});

const timeOfDaySchema = z
  .string({ error: 'must be a time "HH:mm"' })
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, { error: 'must be a time "HH:mm" between 00:00 and 24:00' });

export const scheduleSchema = z
  .strictObject({
    days: z.array(daySchema).min(1, { error: 'must list at least one day' }),
    start: timeOfDaySchema,
    end: timeOfDaySchema,
    timezone: z
      .string({ error: 'must be an IANA time zone such as Europe/Berlin' })
      .refine((zone) => IANAZone.isValidZone(zone), {
        error: (issue) => `unknown time zone "${String(issue.input)}" (use an IANA name such as Europe/Berlin)`,
      }),
  })
  .refine((schedule) => schedule.start !== '24:00', { error: 'start cannot be 24:00', path: ['start'] });

export const dnsRegistrationSchema = z.strictObject({
  /** Id of a DNS provider config. */
  provider: z.string(),
  /** Records are `<instance id>.<baseDomain>`; the zone must already exist at the DNS provider. */
  baseDomain: z
    .string()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i, {
      error: 'must be a domain name such as agents.example.com',
    }),
  ttlSeconds: positiveInteger().default(60),
});

/** Room for `count` sessions of this size, kept free on running agents (a placeable standby). */
export const standbySlotSchema = z
  .strictObject({
    ...resourcesSchema.shape,
    count: positiveInteger().max(1000, { error: 'must be ≤ 1000' }),
  })
  .refine((slot) => slot.cores > 0 || slot.memoryMb > 0 || slot.gpus > 0, {
    error: 'must give the slot at least one of cores, memoryMb or gpus above 0',
  });

/** Standby of a docker-agent config: free totals (`cores`, `memoryMb`, `gpus`) and placeable `slots`. */
export const standbySchema = z.strictObject({
  ...resourcesSchema.shape,
  slots: z.array(standbySlotSchema).max(32, { error: 'must list at most 32 slots' }).default([]),
});

/** Predictive standby: a quantile of demand growth over the boot horizon, by hour of the week. */
export const predictiveStandbySchema = z.strictObject({
  /** Quantile of the growth observed in an hour-of-week slot, in (0, 1]. */
  quantile: z
    .number({ error: 'must be a number' })
    .gt(0, { error: 'must be > 0' })
    .max(1, { error: 'must be ≤ 1' })
    .default(0.95),
  /** Growth horizon; defaults to the boot time (the simulator: the cloud model's p95 boot). */
  horizonSeconds: positiveInteger().max(86_400, { error: 'must be ≤ 86400' }).optional(),
  /** Observations a slot needs before its value is used (else the hour of day, else the static standby). */
  confidenceFloor: positiveInteger().max(100_000, { error: 'must be ≤ 100000' }).default(12),
  /**
   * Where the load is learnt from. `trace`: the replayed trace, before `--measure-from`
   * (`headroom simulate` only). `history`: the demand the autoscaler itself observes, sampled every
   * minute into its state store and learnt again every hour (`headroom run`, the embedding API's
   * `createAutoscaler`, and the simulator, which then learns online as the service would).
   */
  learnFrom: z.enum(['trace', 'history'], { error: 'must be "trace" or "history"' }).default('trace'),
  /** `history`: how many days of recorded demand are learnt from (older samples are deleted). */
  historyDays: positiveInteger().max(366, { error: 'must be ≤ 366' }).default(28),
  /**
   * Hold the predicted growth as placeable room for sessions of this shape (like `standby.slots`:
   * counted per agent by fit, so fragments no such session fits do not count) instead of as an
   * aggregate; the count is the prediction divided by the shape, rounded up, by the resource
   * that needs most (at most 1000).
   */
  slot: resourcesSchema
    .refine((slot) => slot.cores > 0 || slot.memoryMb > 0 || slot.gpus > 0, {
      error: 'must give the slot at least one of cores, memoryMb or gpus above 0',
    })
    .optional(),
});

const autoscaleCommonShape = {
  id: identifier(),
  name: z.string().optional(),
  /** Id of a VM provider config. */
  provider: z.string({ error: 'must name a provider config' }),
  enabled: z.boolean().default(true),
  aggressiveScaling: z.boolean().default(false),
  /** Deployment zone the config applies to. */
  zone: z.string().default('default'),
  downscaleBackoffSeconds: nonNegativeInteger().default(600),
  requireCheckin: z.boolean().default(false),
  /** Seconds after creation an instance has to check in; default 900 when check-in is required. */
  checkinTimeoutSeconds: positiveInteger().optional(),
  dns: dnsRegistrationSchema.optional(),
  /** Startup script template (`{placeholder}` rules); overrides the provider config's. */
  startupScript: z.string().optional(),
  /** `{ssh_key}`: the public key administrators connect with (`ssh-rsa AAAA… comment`). */
  sshPublicKey: z
    .string()
    .trim()
    .regex(SSH_PUBLIC_KEY_PATTERN, { error: 'must be one SSH public key line such as "ssh-rsa AAAA… comment"' })
    .optional(),
  schedules: z.array(scheduleSchema).default([]),
};

export const dockerAgentAutoscaleSchema = z.strictObject({
  ...autoscaleCommonShape,
  standby: standbySchema.default({ cores: 0, memoryMb: 0, gpus: 0, slots: [] }),
  /** Consolidate by draining: with a lasting surplus and no idle agent, mark the emptiest agents draining. */
  drain: z.boolean().default(false),
  /** Capacity one new agent is counted as (the seed's agent cores/memory/GPU overrides). */
  agent: resourcesSchema.refine((agent) => agent.cores > 0 || agent.memoryMb > 0 || agent.gpus > 0, {
    error: 'must give the agent at least one of cores, memoryMb or gpus above 0',
  }),
  nginxCert: z.string().optional(),
  nginxKey: secretSchema.optional(),
  /** Standby that follows learnt demand growth (see `learnDemandGrowthProfile`); the static `standby` stays a lower bound. */
  predictiveStandby: predictiveStandbySchema.optional(),
});

export const serverConnectionSchema = z
  .strictObject({
    type: z.enum(['kasmvnc', 'rdp', 'vnc', 'ssh']).default('rdp'),
    port: positiveInteger().max(65535, { error: 'must be ≤ 65535' }).optional(),
    credentialType: z.enum(['static', 'dynamic', 'sso', 'smartcard']).default('static'),
    ssoDomain: z.string().optional(),
    username: z.string().optional(),
    /** Blank on an AWS Windows pool: the reconciler fetches the instance's password once it runs. */
    password: secretSchema.optional(),
    /**
     * A new random password per server (`{connection_password}`), kept in its ledger entry and
     * answered by `GET /api/v1/instances/{id}` to the API token. Excludes `password`.
     */
    generatePassword: z.boolean().default(false),
    useUserSshKey: z.boolean().default(false),
    /** RSA, PKCS#1 PEM, 2048 bits (the seed's SSH key rules); SSH connections only. */
    privateKey: secretSchema.optional(),
    privateKeyPassphrase: secretSchema.optional(),
    /** Extra connection info (JSON). */
    info: z.record(z.string(), z.unknown()).optional(),
  })
  .superRefine((connection, context) => {
    if (connection.generatePassword && connection.password !== undefined)
      context.addIssue({
        code: 'custom',
        path: ['generatePassword'],
        message: 'cannot be combined with password (remove one)',
      });
    for (const field of ['useUserSshKey', 'privateKey', 'privateKeyPassphrase'] as const) {
      const set = field === 'useUserSshKey' ? connection.useUserSshKey : connection[field] !== undefined;
      if (set && connection.type !== 'ssh')
        context.addIssue({
          code: 'custom',
          path: [field],
          message: `applies only to type ssh (type is ${connection.type})`,
        });
    }
    if (typeof connection.privateKey === 'string') {
      const passphrase =
        typeof connection.privateKeyPassphrase === 'string' ? connection.privateKeyPassphrase : undefined;
      const problem = sshPrivateKeyProblem({ pem: connection.privateKey, ...(passphrase ? { passphrase } : {}) });
      if (problem) context.addIssue({ code: 'custom', path: ['privateKey'], message: problem });
    }
  });

export const serverAutoscaleSchema = z
  .strictObject({
    ...autoscaleCommonShape,
    minimumAvailableSessions: nonNegativeInteger().default(0),
    maxSessionsPerServer: positiveInteger().default(1),
    maxUsersPerServer: positiveInteger().default(1),
    /** Consolidate by draining: with a lasting surplus of free sessions and no idle server, mark the emptiest servers draining. */
    drain: z.boolean().default(false),
    /** Capacity a server is counted as (for reports and the oracle); optional for server pools. */
    agent: resourcesSchema.optional(),
    /**
     * The Kasm Windows Service (the agent) is on the server's image: the workflows that need it are
     * available (dynamic user accounts). Reported to the control plane on the instance record.
     */
    agentInstalled: z.boolean().default(false),
    connection: serverConnectionSchema.default({
      type: 'rdp',
      credentialType: 'static',
      useUserSshKey: false,
      generatePassword: false,
    }),
    /**
     * `false`: a server takes no new sessions once one of its sessions ended (the snapshot's
     * `sessionEnded`) and is destroyed when empty; the minimum is kept with new servers.
     */
    reusable: z.boolean().default(true),
    activeDirectory: z
      .strictObject({
        /** Create the server's computer object (with a one-time join password) before the server. */
        createComputerRecord: z.boolean().default(false),
        /** Id of an `ldapConfigs` entry (LDAPS). */
        ldapConfig: z.string().optional(),
        /** DN of the OU the computer objects go into. */
        computerOuDn: z
          .string()
          .regex(/^(OU|CN)=[^,]+(,[A-Za-z]+=[^,]+)+$/i, {
            error: 'must be a DN such as OU=Desktops,DC=corp,DC=example',
          })
          .optional(),
        /** The Active Directory domain (`{domain}`), e.g. corp.example. */
        domain: z.string().min(1).optional(),
      })
      .superRefine((directory, context) => {
        if (!directory.createComputerRecord) return;
        for (const field of ['ldapConfig', 'computerOuDn'] as const)
          if (directory[field] === undefined)
            context.addIssue({
              code: 'custom',
              path: [field],
              message: 'is required when createComputerRecord is true',
            });
      })
      .optional(),
  })
  .superRefine((autoscale, context) => {
    if (autoscale.connection.credentialType === 'dynamic' && !autoscale.agentInstalled)
      context.addIssue({
        code: 'custom',
        path: ['agentInstalled'],
        message:
          'must be true for connection.credentialType dynamic: the agent (Kasm Windows Service) creates the dynamic user accounts',
      });
  });

/** How the reconciler reaches a directory to create computer records (LDAPS only). */
export const ldapConfigSchema = z.strictObject({
  name: z.string().optional(),
  url: z.string({ error: 'must be an ldaps:// URL' }).regex(/^ldaps:\/\/[^\s/?#]+\/?$/i, {
    error: 'must be an ldaps://host[:port] URL (AD sets computer passwords only over LDAPS)',
  }),
  bindDn: z.string({ error: 'must be a DN' }).min(1, { error: 'must be a DN' }),
  bindPassword: secretSchema,
  /** PEM file of the CA (or self-signed certificate) to trust; the system store when absent. */
  caCertificateFile: z.string().min(1).optional(),
  /** Name the server certificate must carry when it differs from the URL's host. */
  tlsServerName: z.string().min(1).optional(),
  timeoutMs: positiveInteger().max(120_000, { error: 'must be ≤ 120000' }).default(10_000),
});

export const poolSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({
      id: identifier(),
      name: z.string().optional(),
      kind: z.literal('docker-agent'),
      /** How sessions (and staged sessions) are placed: `spread` (roomiest agent) or `pack` (fullest that fits). */
      placement: z.enum(['spread', 'pack'], { error: 'must be spread or pack' }).default('spread'),
      autoscale: z.array(dockerAgentAutoscaleSchema).default([]),
    }),
    z.strictObject({
      id: identifier(),
      name: z.string().optional(),
      kind: z.literal('server'),
      autoscale: z.array(serverAutoscaleSchema).default([]),
    }),
  ],
  { error: 'kind must be "docker-agent" or "server"' },
);

/**
 * A provider `type`: the adapter package `@headroom/provider-<type>` (or one whose package.json
 * lists the type under `headroom.providerTypes`) serves it; `fake` is built in. Whether an adapter
 * is installed for it is checked by `@headroom/scaler`, not here.
 */
const providerTypeSchema = () =>
  z
    .string({ error: 'must be a provider type such as aws' })
    .regex(/^[a-z][a-z0-9-]{0,39}$/, { error: 'must be a provider type such as aws (lowercase letters, digits, -)' });

/**
 * A VM provider config. Common fields are checked here; type-specific fields are kept as given and
 * validated by the provider package.
 */
export const providerConfigSchema = z.looseObject({
  type: providerTypeSchema(),
  name: z.string().optional(),
  maxInstances: nonNegativeInteger(),
  startupScript: z.string().optional(),
  /** Deep-merged into the provider's create request (each provider documents precedence). */
  configOverride: z.record(z.string(), z.unknown()).optional(),
});

export const dnsProviderConfigSchema = z.looseObject({
  type: providerTypeSchema(),
  name: z.string().optional(),
});

/** The seed's "Allow ..." settings a staged session is created with (fixed at container start). */
export const STAGING_PERMISSIONS = [
  'allowAudio',
  'allowClipboardDown',
  'allowClipboardUp',
  'allowDownloads',
  'allowMicrophone',
  'allowUploads',
  'allowGamepad',
] as const;
export type StagingPermission = (typeof STAGING_PERMISSIONS)[number];

const permissionShape = Object.fromEntries(
  STAGING_PERMISSIONS.map((permission) => [permission, z.boolean().default(false)]),
) as Record<StagingPermission, z.ZodDefault<z.ZodBoolean>>;

export const stagingConfigSchema = z.strictObject({
  id: identifier(),
  pool: z.string(),
  autoscale: z.string(),
  workspace: z.string().min(1),
  /** Deployment zone; defaults to (and must equal) the autoscale config's zone. */
  zone: z.string().optional(),
  desiredSessions: nonNegativeInteger().max(10000, { error: 'must be ≤ 10000' }),
  expirationHours: nonNegative().max(8760, { error: 'must be ≤ 8760 (one year)' }).default(2),
  /** Seconds a stage or destroy request may stay unanswered before the planner asks again. */
  requestTimeoutSeconds: positiveInteger().max(86400, { error: 'must be ≤ 86400' }).default(300),
  session: resourcesSchema,
  ...permissionShape,
});

/** A deployment zone (the seed's Zones page): whether requests may be served from other zones. */
export const zoneConfigSchema = z.strictObject({
  id: identifier(),
  searchAlternateZones: z.boolean().default(false),
  /** Alternate zones in search order; defaults to every other configured zone, in config order. */
  alternateZones: z.array(z.string()).optional(),
});

const imageReferencePattern = /^[a-z0-9][a-z0-9._:/@-]{0,511}$/i;
const digestPattern = /^sha256:[a-f0-9]{64}$/;

/**
 * Where a workspace image is pulled from (the seed's "Docker Registry", username and password).
 * Without it agents never pull the image (seed: "a pull only occurs if a Docker Registry is
 * defined"): it must be on the agents already.
 */
export const imageRegistrySchema = z.strictObject({
  /** Registry URL or host (`https://index.docker.io/v1/`, `registry.example.com:5000`). */
  url: z.string().min(1, { error: 'must name a registry' }),
  username: z.string().optional(),
  password: secretSchema.optional(),
  /** Plain HTTP (a lab registry). Default false. */
  insecureHttp: z.boolean().default(false),
});

/** A workspace: the image its sessions run, and the pools where it is enabled. */
export const workspaceSchema = z.strictObject({
  id: identifier(),
  /** Docker image name (`kasmweb/chrome:1.16.0`, `registry.example.com/team/app:2`). */
  image: z.string().regex(imageReferencePattern, { error: 'must be an image name such as kasmweb/chrome:1.16.0' }),
  registry: imageRegistrySchema.optional(),
  /** Docker-agent pools the workspace is enabled on. Default: every docker-agent pool. */
  pools: z.array(z.string()).optional(),
  /**
   * Compressed image size in MB (≤ 1,048,576, 1 TiB): the simulator delays a new agent's readiness by
   * its pull time (size / the cloud model's `pullBandwidthMbPerSecond`).
   */
  sizeMb: nonNegative().max(1_048_576, { error: 'must be ≤ 1048576 (1 TiB)' }).optional(),
  /** Pinned digest: agents run exactly this image until the pin is changed (a roll). */
  digest: z.string().regex(digestPattern, { error: 'must be a digest such as sha256:<64 hex digits>' }).optional(),
});

/** Backup registry every workspace image is mirrored to (image clone controller seed). */
export const imageMirrorSchema = z.strictObject({
  /** Registry host[:port]. */
  registry: z.string().min(1),
  /** Repository prefix; the source registry and path are kept under it. */
  repositoryPrefix: z.string().default(''),
  username: z.string().optional(),
  password: secretSchema.optional(),
  insecureHttp: z.boolean().default(false),
});

/** Sections owned by the standalone scaler and the simulator; validated by `@headroom/scaler`. */
const sectionSchema = z.record(z.string(), z.unknown());

export const headroomConfigSchema = z.strictObject({
  providers: z.record(identifier(), providerConfigSchema).default({}),
  dnsProviders: z.record(identifier(), dnsProviderConfigSchema).default({}),
  ldapConfigs: z.record(identifier(), ldapConfigSchema).default({}),
  pools: z.array(poolSchema).default([]),
  staging: z.array(stagingConfigSchema).default([]),
  zones: z.array(zoneConfigSchema).default([]),
  workspaces: z.array(workspaceSchema).default([]),
  imageMirror: imageMirrorSchema.optional(),
  scaler: sectionSchema.optional(),
  state: sectionSchema.optional(),
  api: sectionSchema.optional(),
  inventory: sectionSchema.optional(),
  checkin: sectionSchema.optional(),
  simulation: sectionSchema.optional(),
});

export type SecretValue = z.output<typeof secretSchema>;
export type Schedule = z.output<typeof scheduleSchema>;
export type DnsRegistration = z.output<typeof dnsRegistrationSchema>;
export type DockerAgentAutoscaleConfig = z.output<typeof dockerAgentAutoscaleSchema>;
export type ServerAutoscaleConfig = z.output<typeof serverAutoscaleSchema>;
export type AutoscaleConfig = DockerAgentAutoscaleConfig | ServerAutoscaleConfig;
export type PoolConfig = z.output<typeof poolSchema>;
export type ProviderType = string;
export type ProviderConfig = z.output<typeof providerConfigSchema>;
export type DnsProviderConfig = z.output<typeof dnsProviderConfigSchema>;
export type LdapConfig = z.output<typeof ldapConfigSchema>;
export type StagingConfig = z.output<typeof stagingConfigSchema>;
export type ZoneConfig = z.output<typeof zoneConfigSchema>;
export type WorkspaceConfig = z.output<typeof workspaceSchema>;
export type ImageMirrorConfig = z.output<typeof imageMirrorSchema>;
export type HeadroomConfig = z.output<typeof headroomConfigSchema>;
/** The config as written by a person (before defaults). */
export type HeadroomConfigInput = z.input<typeof headroomConfigSchema>;
