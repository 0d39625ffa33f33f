import { type Clock, secretInputSchema, type Timers } from '@headroom/core/provider';
import { z } from 'zod';
import type { GcpAuthClient, GcpComputeClient, GcpDnsClient } from './gcp-client.js';

/** A secret: inline, `{ env: NAME }` or `{ file: path }`. Resolved on first use; never logged. */
export type GcpSecretSetting = z.output<typeof secretInputSchema>;

/**
 * Top-level members of the Compute Engine `Instance` resource (v1, REST names) that `configOverride`
 * may set. `name`, `labels` and `metadata` are Headroom's (see `GCP_FORBIDDEN_OVERRIDE_KEYS`).
 */
export const GCP_INSTANCE_MEMBERS = [
  'advancedMachineFeatures',
  'canIpForward',
  'confidentialInstanceConfig',
  'deletionProtection',
  'description',
  'disks',
  'displayDevice',
  'guestAccelerators',
  'hostname',
  'instanceEncryptionKey',
  'keyRevocationActionType',
  'machineType',
  'minCpuPlatform',
  'networkInterfaces',
  'networkPerformanceConfig',
  'params',
  'privateIpv6GoogleAccessType',
  'reservationAffinity',
  'resourcePolicies',
  'scheduling',
  'serviceAccounts',
  'shieldedInstanceConfig',
  'shieldedInstanceIntegrityPolicy',
  'sourceMachineImage',
  'sourceMachineImageEncryptionKey',
  'tags',
] as const;

/**
 * Members `configOverride` may not set: the instance name (Headroom's deterministic name), the
 * labels (they carry Headroom's tags, which find the instance after a crash) and the metadata
 * (it carries the startup script). Use the `labels` and `metadata` settings instead.
 */
export const GCP_FORBIDDEN_OVERRIDE_KEYS = ['name', 'labels', 'metadata'] as const;

const instanceMembers = new Set<string>(GCP_INSTANCE_MEMBERS);
const forbiddenOverrideKeys = new Set<string>(GCP_FORBIDDEN_OVERRIDE_KEYS);

/** Metadata keys Headroom writes itself: the startup scripts and its long-tag record. */
export const GCP_RESERVED_METADATA_KEYS = ['startup-script', 'windows-startup-script-ps1', 'headroom-tags'] as const;
const reservedMetadataKeys = new Set<string>(GCP_RESERVED_METADATA_KEYS);

const projectIdSchema = z
  .string({ error: 'must be a project id such as pensive-voice-547511' })
  .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, {
    error: 'must be a project id such as pensive-voice-547511 (6–30 lowercase letters, digits, -)',
  });

const regionSchema = z
  .string({ error: 'must be a region such as us-east4' })
  .regex(/^[a-z]+-[a-z]+\d+$/, { error: 'must be a region such as us-east4' });

const zoneSchema = z
  .string({ error: 'must be a zone such as us-east4-b' })
  .regex(/^[a-z]+-[a-z]+\d+-[a-z]$/, { error: 'must be a zone such as us-east4-b' });

/** A resource name (RFC 1035 label): machine types, disk types, accelerator types, network tags. */
const resourceNamePattern = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A label key: starts with a lowercase letter; lowercase letters, digits, `_`, `-`; at most 63. */
export const GCP_LABEL_KEY_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;
/** A label value: lowercase letters, digits, `_`, `-`; at most 63; may be empty. */
export const GCP_LABEL_VALUE_PATTERN = /^[a-z0-9_-]{0,63}$/;

const credentialsShape = {
  /**
   * The service account key (the JSON file GCP gives, as text): inline, `{ env }` or `{ file }`.
   * Omit it to use Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, the metadata
   * server of a GCE/GKE host).
   */
  credentials: secretInputSchema.optional(),
  /**
   * Project id, e.g. `pensive-voice-547511`. Default: the `project_id` of `credentials`, else the
   * GOOGLE_CLOUD_PROJECT environment variable.
   */
  project: projectIdSchema.optional(),
  /**
   * API endpoint override (`https://host[:port]`): Private Service Connect endpoints, tests.
   * Default: the public endpoint of the API.
   */
  endpoint: z.url({ error: 'must be a URL such as https://compute.example.internal' }).optional(),
};

const machineTypeSchema = z
  .string({ error: 'must be a machine type such as e2-standard-2' })
  .regex(/^([a-z][-a-z0-9]{0,61}[a-z0-9]|zones\/[a-z0-9-]+\/machineTypes\/[a-z0-9-]+)$/, {
    error: 'must be a machine type such as e2-standard-2 (or zones/<zone>/machineTypes/<type>)',
  });

const imageSchema = z
  .string({ error: 'must be an image path such as projects/ubuntu-os-cloud/global/images/family/ubuntu-2204-lts' })
  .regex(
    /^(https:\/\/(www|compute)\.googleapis\.com\/compute\/v1\/)?(projects\/[a-z0-9.:-]+\/)?global\/images\/(family\/)?[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/,
    {
      error:
        'must be an image path such as projects/ubuntu-os-cloud/global/images/ubuntu-2004-focal-v20211212 or …/global/images/family/<family>',
    },
  );

const networkSchema = z
  .string({ error: 'must be a network path such as projects/my-project/global/networks/default' })
  .regex(/^(projects\/[a-z0-9.:-]+\/)?global\/networks\/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, {
    error: 'must be a network path such as projects/my-project/global/networks/default',
  });

const subnetworkPattern =
  /^(projects\/[a-z0-9.:-]+\/)?regions\/([a-z0-9-]+)\/subnetworks\/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

const kmsKeyPattern =
  /^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+(\/cryptoKeyVersions\/\d+)?$/;

const acceleratorSchema = z.strictObject({
  /** Accelerator type: a name (`nvidia-tesla-t4`) or a path (`projects/<p>/zones/<z>/acceleratorTypes/<name>`). */
  acceleratorType: z
    .string({ error: 'must be an accelerator type such as nvidia-tesla-t4' })
    .regex(/^((projects\/[a-z0-9.:-]+\/)?zones\/[a-z0-9-]+\/acceleratorTypes\/)?[a-z0-9-]+$/, {
      error: 'must be an accelerator type such as nvidia-tesla-t4 or zones/<zone>/acceleratorTypes/<type>',
    }),
  /** How many of them. */
  acceleratorCount: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be ≥ 1' })
    .max(16, { error: 'must be ≤ 16' }),
});

const metadataItemSchema = z.strictObject({
  key: z
    .string({ error: 'must be a string' })
    .regex(/^[a-zA-Z0-9_-]{1,128}$/, { error: 'must be 1–128 letters, digits, _ or -' })
    .refine((key) => !reservedMetadataKeys.has(key), {
      error: 'is written by Headroom (use startupScript and startupScriptType for the startup script)',
    }),
  value: z.string({ error: 'must be a string' }).max(262_144, { error: 'must be at most 256 KiB' }),
});

const serviceAccountSchema = z.strictObject({
  /** Service account email the instance runs as (`default` for the Compute Engine default account). */
  email: z
    .string({ error: 'must be a service account email' })
    .regex(/^(default|[^@\s]+@[^@\s]+\.iam\.gserviceaccount\.com|[^@\s]+@developer\.gserviceaccount\.com)$/, {
      error: 'must be a service account email such as agent@my-project.iam.gserviceaccount.com, or default',
    }),
  /** OAuth scopes; default cloud-platform (access is then governed by the account's IAM roles). */
  scopes: z
    .array(z.url({ error: 'must be a scope URL such as https://www.googleapis.com/auth/cloud-platform' }))
    .min(1, { error: 'must list at least one scope' })
    .default(['https://www.googleapis.com/auth/cloud-platform']),
});

function refineLabelKeys(labels: Record<string, string>, context: z.RefinementCtx): void {
  const keys = Object.keys(labels);
  for (const key of keys) {
    if (!GCP_LABEL_KEY_PATTERN.test(key)) {
      context.addIssue({
        code: 'custom',
        path: [key],
        message: 'label keys start with a lowercase letter and have at most 63 lowercase letters, digits, _ or -',
      });
    } else if (/^(headroom-|x_|h_)/.test(key)) {
      context.addIssue({
        code: 'custom',
        path: [key],
        message: 'label keys starting with "headroom-", "x_" or "h_" are reserved by Headroom',
      });
    }
  }
  if (keys.length > 48) {
    context.addIssue({ code: 'custom', message: 'at most 48 custom labels (GCP allows 64, Headroom keeps 16)' });
  }
}

function refineOverride(override: Record<string, unknown>, context: z.RefinementCtx): void {
  for (const key of Object.keys(override)) {
    if (forbiddenOverrideKeys.has(key)) {
      context.addIssue({
        code: 'custom',
        path: [key],
        message: `cannot be overridden: Headroom sets ${key} (use the ${key === 'name' ? 'pool and autoscale ids' : `${key} setting`})`,
      });
    } else if (!instanceMembers.has(key)) {
      context.addIssue({
        code: 'custom',
        path: [key],
        message:
          'is not a member of the Compute Engine Instance resource (REST names, e.g. scheduling, shieldedInstanceConfig)',
      });
    }
  }
}

/**
 * Cross-field checks. They run even when a field is invalid (so that `headroom validate` reports
 * every issue at once), hence the defensive reads.
 */
function refineVmSettings(settings: Record<string, unknown>, context: z.RefinementCtx): void {
  const { region, zone, subnetwork, osType, startupScriptType, metadata } = settings;
  if (typeof region === 'string' && typeof zone === 'string' && !zone.startsWith(`${region}-`)) {
    context.addIssue({ code: 'custom', path: ['zone'], message: `must be a zone of region ${region}` });
  }
  const subnetworkRegion = typeof subnetwork === 'string' ? subnetwork.match(subnetworkPattern)?.[2] : undefined;
  if (typeof region === 'string' && subnetworkRegion !== undefined && subnetworkRegion !== region) {
    context.addIssue({
      code: 'custom',
      path: ['subnetwork'],
      message: `is in region ${subnetworkRegion}, not in region ${region}`,
    });
  }
  if ((osType ?? 'linux') === 'windows' && startupScriptType === 'bash') {
    context.addIssue({
      code: 'custom',
      path: ['startupScriptType'],
      message: 'must be powershell on windows (windows-startup-script-ps1); bash scripts run only on linux',
    });
  }
  if ((osType ?? 'linux') === 'linux' && startupScriptType === 'powershell') {
    context.addIssue({
      code: 'custom',
      path: ['startupScriptType'],
      message: 'must be bash on linux (startup-script); powershell scripts run only on windows',
    });
  }
  const seen = new Set<unknown>();
  (Array.isArray(metadata) ? metadata : []).forEach((item: unknown, index) => {
    const key = item !== null && typeof item === 'object' ? (item as { key?: unknown }).key : undefined;
    if (typeof key !== 'string') return;
    if (seen.has(key)) {
      context.addIssue({ code: 'custom', path: ['metadata', index, 'key'], message: `repeats key ${key}` });
    }
    seen.add(key);
  });
}

/**
 * The GCP VM provider config (the seed's "Google Cloud (GCP) Settings"), as written under
 * `providers.<id>` with `type: gcp`. `headroom validate` checks provider configs with this schema.
 */
export const gcpProviderSettingsSchema = z
  .strictObject({
    /** Provider type in the YAML config; optional when the settings are passed in code. */
    type: z.literal('gcp', { error: 'must be "gcp"' }).optional(),
    /** A name to identify the config. */
    name: z.string().optional(),
    ...credentialsShape,
    /** Most instances this provider config may run, across all autoscale configs. The planner enforces it. */
    maxInstances: z
      .number({ error: 'must be a number' })
      .int({ error: 'must be a whole number' })
      .min(0, { error: 'must be ≥ 0' }),
    /** Region of the instances, e.g. `us-east4`. */
    region: regionSchema,
    /** Zone the instances are created in, e.g. `us-east4-b` (a zone of `region`). */
    zone: zoneSchema,
    /** Machine type, e.g. `e2-standard-2`. The autoscale config's agent shape may differ (over-provisioning). */
    machineType: machineTypeSchema,
    /** Boot image (the seed's "Machine Image"): `projects/<p>/global/images/<name>` or `…/images/family/<family>`. */
    image: imageSchema,
    /** Size of the boot disk in GB. Default: the image's size. */
    bootVolumeSizeGb: z
      .number({ error: 'must be a number' })
      .int({ error: 'must be a whole number' })
      .min(10, { error: 'must be ≥ 10' })
      .max(65_536, { error: 'must be ≤ 65536' })
      .optional(),
    /** Boot disk type, e.g. `pd-ssd`, `pd-balanced`, `hyperdisk-balanced`. Default: pd-standard. */
    diskType: z
      .string({ error: 'must be a disk type such as pd-ssd' })
      .regex(resourceNamePattern, { error: 'must be a disk type such as pd-ssd' })
      .optional(),
    /** Customer-managed encryption key of the boot disk (CMEK): `projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>`. */
    customerManagedEncryptionKey: z
      .string({ error: 'must be a Cloud KMS key path' })
      .regex(kmsKeyPattern, {
        error: 'must be a Cloud KMS key path such as projects/p/locations/global/keyRings/r/cryptoKeys/k',
      })
      .optional(),
    /** Network path, e.g. `projects/my-project/global/networks/default`. Default: the project's default network. */
    network: networkSchema.optional(),
    /** Subnetwork path in `region`, e.g. `projects/my-project/regions/us-east4/subnetworks/default`. */
    subnetwork: z
      .string({ error: 'must be a subnetwork path' })
      .regex(subnetworkPattern, {
        error: 'must be a subnetwork path such as projects/my-project/regions/us-east4/subnetworks/default',
      })
      .optional(),
    /** Give the instances an ephemeral external IPv4 address (ONE_TO_ONE_NAT). */
    publicIp: z.boolean({ error: 'must be true or false' }).default(false),
    /** Network tags (firewall rule targets). */
    networkTags: z
      .array(
        z.string().regex(resourceNamePattern, {
          error: 'must be 1–63 lowercase letters, digits or -, starting with a letter',
        }),
      )
      .max(64, { error: 'at most 64 network tags' })
      .default([]),
    /**
     * Custom labels on instances and boot disks (GCP label rules: keys start with a lowercase
     * letter; keys and values are lowercase letters, digits, `_`, `-`, at most 63 characters).
     * Keys starting with `headroom-` are Headroom's.
     */
    labels: z
      .record(
        z.string(),
        z
          .string({ error: 'must be a string' })
          .regex(GCP_LABEL_VALUE_PATTERN, {
            error: 'label values have at most 63 lowercase letters, digits, _ or -',
          })
          .refine((value) => !/^(x_|h_)/.test(value), {
            error: 'label values starting with "x_" or "h_" are reserved by Headroom (its label encoding)',
          }),
      )
      .superRefine(refineLabelKeys)
      .default({}),
    /** Instance metadata items (`[{ key, value }]`), e.g. `enable-oslogin`. The startup-script keys are Headroom's. */
    metadata: z.array(metadataItemSchema).max(100, { error: 'at most 100 metadata items' }).default([]),
    /** Service account the instances run as, with its OAuth scopes. Default: none attached. */
    serviceAccount: serviceAccountSchema.optional(),
    /** GPUs: `[{ acceleratorType, acceleratorCount }]`. Sets onHostMaintenance TERMINATE, as GCP requires. */
    guestAccelerators: z.array(acceleratorSchema).max(8).default([]),
    /**
     * Deep-merged into the `Instance` resource (REST member names, camelCase). Objects merge member
     * by member, arrays and values replace. `name`, `labels` and `metadata` cannot be overridden.
     */
    configOverride: z.record(z.string(), z.unknown()).superRefine(refineOverride).optional(),
    /** Family of the OS in the image (the seed's "VM Installed OS Type"). Default linux. */
    osType: z.enum(['linux', 'windows'], { error: 'must be linux or windows' }).default('linux'),
    /**
     * Which metadata key carries the startup script: `bash` → `startup-script` (Linux),
     * `powershell` → `windows-startup-script-ps1` (Windows). Default: from `osType`.
     */
    startupScriptType: z.enum(['bash', 'powershell'], { error: 'must be bash or powershell' }).optional(),
    /** Startup script used when the autoscale config gives none. At most 256 KiB once rendered. */
    startupScript: z.string().optional(),
    /** Longest wait for a zonal operation (insert, delete) in seconds. Default 600. */
    operationTimeoutSeconds: z
      .number({ error: 'must be a number' })
      .int({ error: 'must be a whole number' })
      .min(10, { error: 'must be ≥ 10' })
      .max(3600, { error: 'must be ≤ 3600' })
      .default(600),
  })
  .superRefine((settings, context) => refineVmSettings(settings as Record<string, unknown>, context), {
    when: () => true,
  });

/** Parsed GCP VM provider settings (defaults applied). */
export type GcpProviderParsedSettings = z.output<typeof gcpProviderSettingsSchema>;

/** Seams of the GCP clients that code (and tests) may pass besides the config fields. */
export interface GcpClientSeams {
  /**
   * An auth client (from google-auth-library) used instead of `credentials` / Application Default
   * Credentials, e.g. impersonated or workload-identity credentials.
   */
  authClient?: GcpAuthClient;
  /** Folder relative `{ file }` secrets resolve against. Default: the working directory. */
  configDirectory?: string;
}

/** Settings of `createGcpProvider`: the config fields plus injectable seams. */
export type GcpProviderSettings = z.input<typeof gcpProviderSettingsSchema> &
  GcpClientSeams & {
    /** Compute client to use instead of the SDK's (tests, custom middleware). */
    computeClient?: GcpComputeClient;
    /** Source of the current time (operation deadlines). Default: the system clock. */
    clock?: Clock;
    /** Sleeps between operation polls. Default: real timers. */
    timers?: Timers;
  };

/** The Cloud DNS provider config (the seed's "Google Cloud (GCP) DNS Provider Settings"). */
export const gcpDnsProviderSettingsSchema = z.strictObject({
  /** Provider type in the YAML config; optional when the settings are passed in code. */
  type: z.literal('gcp', { error: 'must be "gcp"' }).optional(),
  /** A name to identify the config. */
  name: z.string().optional(),
  ...credentialsShape,
  /**
   * Managed zone name to manage (e.g. `agents-example-com`). Default: the most specific public or
   * private zone whose DNS name is the base domain or one of its parents.
   */
  managedZone: z
    .string({ error: 'must be a managed zone name' })
    .regex(resourceNamePattern, { error: 'must be a managed zone name such as agents-example-com' })
    .optional(),
});

/** Parsed Cloud DNS provider settings (defaults applied). */
export type GcpDnsProviderParsedSettings = z.output<typeof gcpDnsProviderSettingsSchema>;

/** Settings of `createGcpDnsProvider`: the config fields plus injectable seams. */
export type GcpDnsProviderSettings = z.input<typeof gcpDnsProviderSettingsSchema> &
  GcpClientSeams & {
    /** Cloud DNS client to use instead of the SDK's (tests). */
    dnsClient?: GcpDnsClient;
  };
