import { type Clock, secretInputSchema, type Timers } from '@headroom/core/provider';
import { z } from 'zod';
import type { OciClients, OciDnsClient } from './oci-client.js';
import { checkOciConfigOverride } from './oci-config-override.js';

const ocid = (kind: string, example: string) =>
  z
    .string({ error: `must be an OCID such as ${example}` })
    .regex(new RegExp(`^ocid1\\.${kind}\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-z0-9]+$`), {
      error: `must be an OCID such as ${example}`,
    });

const regionSchema = z
  .string({ error: 'must be an OCI region such as us-ashburn-1' })
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, { error: 'must be an OCI region such as us-ashburn-1' });

/** The API signing key settings both OCI adapters share (the seed's credential fields). */
const authenticationShape = {
  /** OCID of the API user (the seed's "User OCID"). */
  userOcid: ocid('user', 'ocid1.user.oc1..aaaa…'),
  /** OCID of the tenancy. */
  tenancyOcid: ocid('tenancy', 'ocid1.tenancy.oc1..aaaa…'),
  /** Region, e.g. `us-ashburn-1`. */
  region: regionSchema,
  /** Fingerprint of the API signing key (`xx:yy:…`, 16 bytes of hex). */
  fingerprint: z
    .string({ error: 'must be a key fingerprint such as 12:34:…:ef (16 hex pairs)' })
    .regex(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/, { error: 'must be a key fingerprint such as 12:34:…:ef (16 hex pairs)' }),
  /** The API signing key (PEM). Secret: inline, `{ env }` or `{ file }`. */
  privateKey: secretInputSchema,
  /** Passphrase of an encrypted `privateKey`. Secret. */
  privateKeyPassphrase: secretInputSchema.optional(),
  /** Endpoint override (tests, private endpoints). Default: the region's service endpoints. */
  endpoint: z.url({ error: 'must be a URL such as https://iaas.us-ashburn-1.oraclecloud.com' }).optional(),
  /** Per-call timeout. Default 60 s. */
  requestTimeoutSeconds: z.number().int({ error: 'must be a whole number' }).min(1).max(600).default(60),
};

const compartmentSchema = z
  .string({ error: 'must be a compartment OCID such as ocid1.compartment.oc1..aaaa…' })
  .regex(/^ocid1\.(compartment|tenancy)\.[a-z0-9-]+\.[a-z0-9-]*\.[a-z0-9]+$/, {
    error: 'must be a compartment OCID such as ocid1.compartment.oc1..aaaa…',
  });

/** Burstable baseline (percent of an OCPU) → the API's `baselineOcpuUtilization`. */
export const OCI_BASELINE_UTILIZATION = { 12.5: 'BASELINE_1_8', 50: 'BASELINE_1_2', 100: 'BASELINE_1_1' } as const;

const tagKeySchema = z
  .string()
  .min(1)
  .max(100, { error: 'freeform tag keys are at most 100 characters' })
  .regex(/^[^\s.]+$/, { error: 'freeform tag keys have no spaces or dots' })
  .refine((key) => !key.startsWith('headroom-'), {
    error: 'tag keys starting with "headroom-" are reserved by Headroom',
  });

/**
 * The OCI VM provider config (the seed's "Oracle Cloud (OCI) Settings"), written under
 * `providers.<id>` with `type: oci`. `headroom validate` checks configs with this schema.
 */
export const ociProviderSettingsSchema = z
  .strictObject({
    /** Provider type in the YAML config; optional when the settings are passed in code. */
    type: z.literal('oci', { error: 'must be "oci"' }).optional(),
    /** A name to identify the config. */
    name: z.string().optional(),
    ...authenticationShape,
    /** Compartment the instances are placed in (the tenancy OCID for the root compartment). */
    compartmentOcid: compartmentSchema,
    /** Most instances this provider config may run. The planner enforces it. */
    maxInstances: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(0, {
      error: 'must be ≥ 0',
    }),
    /**
     * Availability domains to launch in, tried in order when one is out of host capacity, e.g.
     * `Uocm:US-ASHBURN-AD-1`. Default: every availability domain of the region (Identity API).
     */
    availabilityDomains: z
      .array(
        z.string().regex(/^[A-Za-z0-9]+:[A-Z0-9-]+-AD-\d$/, {
          error: 'must be an availability domain name such as Uocm:US-ASHBURN-AD-1',
        }),
      )
      .max(3)
      .default([]),
    /** Image the instances boot from. */
    imageOcid: ocid('image', 'ocid1.image.oc1.iad.aaaa…'),
    /** Shape, e.g. `VM.Standard.E5.Flex` or `VM.Standard2.2`. */
    shape: z
      .string({ error: 'must be a shape such as VM.Standard.E5.Flex' })
      .regex(/^(VM|BM)\.[A-Za-z0-9.]+$/, { error: 'must be a shape such as VM.Standard.E5.Flex' }),
    /** OCPUs of a flex shape (the seed's "Flex CPUs"). Required for `.Flex` shapes. */
    flexOcpus: z.number().positive({ error: 'must be > 0' }).max(512).optional(),
    /** Memory of a flex shape in GB (the seed's "Flex Memory GB"). Default: the shape's default per OCPU. */
    flexMemoryGb: z.number().positive({ error: 'must be > 0' }).max(8192).optional(),
    /** Burstable baseline in percent of an OCPU: 12.5, 50, or 100 (not burstable, the default). */
    burstableBaselinePercent: z
      .union([z.literal(12.5), z.literal(50), z.literal(100)], { error: 'must be 12.5, 50 or 100' })
      .optional(),
    /** Boot volume size in GB (50–32768). Default: the image's. */
    bootVolumeSizeGb: z
      .number()
      .int({ error: 'must be a whole number' })
      .min(50, { error: 'must be ≥ 50' })
      .max(32768)
      .optional(),
    /** Boot volume performance in VPUs per GB: 10 (Balanced, default) to 120, in steps of 10. */
    bootVolumeVpusPerGb: z
      .number()
      .int({ error: 'must be a whole number' })
      .min(10, { error: 'must be ≥ 10' })
      .max(120, { error: 'must be ≤ 120' })
      .multipleOf(10, { error: 'must be a multiple of 10' })
      .optional(),
    /** Subnet the primary VNIC is placed in. */
    subnetOcid: ocid('subnet', 'ocid1.subnet.oc1.iad.aaaa…'),
    /** Network security groups of the primary VNIC (at most 5). */
    networkSecurityGroupOcids: z
      .array(ocid('networksecuritygroup', 'ocid1.networksecuritygroup.oc1.iad.aaaa…'))
      .max(5, { error: 'at most 5 network security groups' })
      .default([]),
    /** Whether the primary VNIC gets a public IP. Default: the subnet's setting. */
    assignPublicIp: z.boolean().optional(),
    /** SSH public key installed for the image's default user (`ssh_authorized_keys`). */
    sshPublicKey: z
      .string()
      .regex(/^(ssh-(rsa|ed25519)|ecdsa-sha2-nistp\d+) [A-Za-z0-9+/=]+( .*)?$/, {
        error: 'must be an OpenSSH public key such as ssh-ed25519 AAAA… comment',
      })
      .optional(),
    /** Extra freeform tags. Headroom's `headroom-*` tags cannot be overridden. */
    customTags: z
      .record(tagKeySchema, z.string().max(256, { error: 'tag values are at most 256 characters' }))
      .default({})
      .refine((tags) => Object.keys(tags).length <= 40, { error: 'at most 40 custom tags' }),
    /** Startup script (cloud-init user data) when the autoscale config gives none; at most 32,000 bytes encoded. */
    startupScript: z.string().optional(),
    /**
     * Customizes the `LaunchInstanceDetails` of the request (the seed's "OCI Config Override"):
     * `{ launch_instance_details: { … } }` with member names in snake_case (the Python SDK's, as in
     * the seed's examples) or camelCase (the REST API's). An object with `OCI_MODEL_NAME` is that
     * model of the SDK; see the README for the rules.
     */
    configOverride: z.record(z.string(), z.unknown()).superRefine(checkOciConfigOverride).optional(),
  })
  .superRefine((settings, context) => {
    const isFlex = settings.shape.endsWith('.Flex');
    if (isFlex && settings.flexOcpus === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['flexOcpus'],
        message: `is required for the flex shape ${settings.shape}`,
      });
    }
    for (const field of ['flexOcpus', 'flexMemoryGb'] as const) {
      if (!isFlex && settings[field] !== undefined) {
        context.addIssue({
          code: 'custom',
          path: [field],
          message: `applies to flex shapes only, not ${settings.shape}`,
        });
      }
    }
  });

/** Parsed OCI provider settings (defaults applied). */
export type OciProviderParsedSettings = z.output<typeof ociProviderSettingsSchema>;

/** Seams tests and embedders inject. */
export interface OciInjectedSeams {
  clock?: Clock;
  timers?: Timers;
  /** Folder relative `{ file }` secrets resolve against. */
  configDirectory?: string;
}

/** Settings of `createOciProvider`: the config fields plus injectable seams. */
export type OciProviderSettings = z.input<typeof ociProviderSettingsSchema> &
  OciInjectedSeams & {
    /** SDK clients to use instead of creating them (tests, custom configuration). */
    clients?: OciClients;
  };

/** The OCI DNS provider config (the seed's "Oracle Cloud (OCI) DNS Provider Settings"). */
export const ociDnsProviderSettingsSchema = z.strictObject({
  /** Provider type in the YAML config; optional when the settings are passed in code. */
  type: z.literal('oci', { error: 'must be "oci"' }).optional(),
  /** A name to identify the config. */
  name: z.string().optional(),
  ...authenticationShape,
  /** Compartment of the DNS zones. */
  compartmentOcid: compartmentSchema,
  /** Zone holding the records. Default: the most specific zone of the compartment that is the base domain or a parent. */
  zoneName: z
    .string()
    .regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/i, { error: 'must be a zone name such as example.com' })
    .optional(),
});

/** Parsed OCI DNS settings. */
export type OciDnsProviderParsedSettings = z.output<typeof ociDnsProviderSettingsSchema>;

/** Settings of `createOciDnsProvider`. */
export type OciDnsProviderSettings = z.input<typeof ociDnsProviderSettingsSchema> &
  OciInjectedSeams & {
    /** DNS client to use instead of creating one. */
    dnsClient?: OciDnsClient;
  };
