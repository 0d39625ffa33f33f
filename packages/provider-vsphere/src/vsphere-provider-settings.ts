import type { Clock, Timers } from '@headroom/core/provider';
import { z } from 'zod';

/** A secret: inline, `{ env: NAME }` or `{ file: path }`. Resolved when first needed; never logged. */
export const vsphereSecretSchema = z.union([
  z.string().min(1),
  z.strictObject({ env: z.string().min(1) }),
  z.strictObject({ file: z.string().min(1) }),
]);

const optionalName = () => z.string().min(1).optional();

/**
 * Settings of one vSphere provider config (the seed's "VMware vSphere Settings"). The optional
 * placement fields fall back to the template's own folder, cluster, resource pool and datastore.
 */
export const vsphereProviderSettingsSchema = z
  .strictObject({
    /** Config type when the settings come from the YAML `providers` section. */
    type: z.literal('vsphere').optional(),
    /** A name to identify the config. */
    name: z.string().optional(),
    /** vCenter host name or IP address. */
    vcenterAddress: z.string().min(1),
    /** vCenter port. Default 443. */
    vcenterPort: z.number().int().min(1).max(65535).default(443),
    /** `https` (default) or `http` (only for simulators). */
    protocol: z.enum(['https', 'http']).default('https'),
    username: z.string().min(1),
    password: vsphereSecretSchema,
    /** The template to clone: a name or a path below the datacenter's VM folder (`templates/ubuntu-24`). */
    templateName: z.string().min(1),
    /** Most VMs this config may run; the adapter refuses creates beyond it (`QuotaExceededError`). */
    maxInstances: z.number().int().min(0),
    datacenter: z.string().min(1),
    /** VM folder path below the datacenter's VM folder. Default: the template's folder. */
    vmFolder: optionalName(),
    /** Datastore name. Default: the datastore cluster's emptiest datastore, else the template's datastore. */
    datastore: optionalName(),
    /** Cluster name. Default: the cluster (compute resource) of the template's host. */
    cluster: optionalName(),
    /** Resource pool path below the cluster's root pool (`Resources`). Default: the cluster's root pool. */
    resourcePool: optionalName(),
    /** Datastore cluster (storage pod) name, used when `datastore` is not set. */
    datastoreCluster: optionalName(),
    /** Guest account that runs the startup script (`guest-operations` only). */
    guestUsername: optionalName(),
    guestPassword: vsphereSecretSchema.optional(),
    /** CPUs of each new VM (independent of the template). */
    cpus: z.number().int().min(1),
    /** Memory of each new VM in MiB (independent of the template). */
    memoryMb: z.number().int().min(4),
    /** OS family of the template: bash runs the startup script on Linux, PowerShell on Windows. */
    osFamily: z.enum(['linux', 'windows']).default('linux'),
    /** Default startup script, used when `createInstance` passes none. */
    startupScript: z.string().optional(),
    /**
     * How the startup script reaches the guest: `guestinfo` (cloud-init / cloudbase-init reads
     * `guestinfo.userdata`, base64) or `guest-operations` (VMware Tools runs it with the guest account).
     */
    startupScriptMethod: z.enum(['guestinfo', 'guest-operations']).default('guestinfo'),
    /** Longest wait for one vCenter task (clone, reconfigure, power). Default 10 minutes. */
    taskTimeoutMs: z.number().int().min(1).default(600_000),
    /** Longest wait for VMware Tools in a new guest before guest operations. Default 10 minutes. */
    guestReadyTimeoutMs: z.number().int().min(1).default(600_000),
    /** Longest wait for one HTTP request. Default 60 s. */
    requestTimeoutMs: z.number().int().min(1).default(60_000),
  })
  .superRefine((settings, context) => {
    if (settings.startupScriptMethod === 'guest-operations') {
      for (const field of ['guestUsername', 'guestPassword'] as const) {
        if (settings[field] === undefined) {
          context.addIssue({
            code: 'custom',
            path: [field],
            message: 'is required when startupScriptMethod is "guest-operations"',
          });
        }
      }
    }
  });

export type VsphereSecret = z.input<typeof vsphereSecretSchema>;

/** Settings accepted by `createVsphereProvider`; `fetch` is a test seam and is not part of the YAML config. */
export type VsphereProviderSettings = z.input<typeof vsphereProviderSettingsSchema> & {
  fetch?: typeof fetch;
  /** Source of the current time (task and guest-tools deadlines). Default: the system clock. */
  clock?: Clock;
  /** Sleeps between task polls. Default: real timers. */
  timers?: Timers;
  /** First delay between task polls. Default 100 ms. */
  taskPollIntervalMs?: number;
};

export type ResolvedVsphereProviderSettings = z.output<typeof vsphereProviderSettingsSchema>;
