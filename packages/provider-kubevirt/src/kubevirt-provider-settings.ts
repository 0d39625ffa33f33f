import { secretInputSchema } from '@headroom/core/provider';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { KubevirtClient } from './kubevirt-client.js';

/** Kubernetes object names of the DNS-1123 label kind (namespaces, VM names): ≤ 63, `a-z0-9-`. */
export const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** DNS-1123 subdomain names (PVCs, DataVolumes, images): ≤ 253, `a-z0-9-.`. */
const dnsSubdomainPattern = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

const dnsLabel = (what: string) =>
  z
    .string({ error: `must be a ${what} (lowercase letters, digits and '-', at most 63 characters)` })
    .regex(dnsLabelPattern, { error: `must be a ${what} (lowercase letters, digits and '-', at most 63 characters)` });

const dnsSubdomain = (what: string) =>
  z
    .string({ error: `must be a ${what} (lowercase letters, digits, '-' and '.', at most 253 characters)` })
    .regex(dnsSubdomainPattern, {
      error: `must be a ${what} (lowercase letters, digits, '-' and '.', at most 253 characters)`,
    });

const wholeNumber = (minimum: number, maximum: number) =>
  z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(minimum, { error: `must be ≥ ${minimum}` })
    .max(maximum, { error: `must be ≤ ${maximum}` });

/** The seed's "Kubernetes SSL Certificate": a base64-encoded PEM certificate (kubeconfig `certificate-authority-data`). */
const certificateAuthorityDataSchema = z
  .string({ error: 'must be a base64-encoded PEM certificate (certificate-authority-data of a kubeconfig)' })
  .refine((value) => Buffer.from(value, 'base64').toString('utf8').includes('-----BEGIN CERTIFICATE-----'), {
    error: 'must be a base64-encoded PEM certificate (certificate-authority-data of a kubeconfig)',
  });

/**
 * A VirtualMachine manifest: YAML text (as the seed's "Configuration Override" field holds it) or
 * the same structure written directly in the config. Must be a `kubevirt.io/v1` VirtualMachine.
 */
const configOverrideSchema = z
  .union([z.string(), z.record(z.string(), z.unknown())], {
    error: 'must be a VirtualMachine manifest (YAML text or a mapping)',
  })
  .transform((value, context): Record<string, unknown> => {
    let manifest: unknown = value;
    if (typeof value === 'string') {
      try {
        manifest = parseYaml(value);
      } catch (error) {
        context.addIssue({ code: 'custom', message: `is not valid YAML: ${(error as Error).message.split('\n')[0]}` });
        return z.NEVER;
      }
    }
    if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
      context.addIssue({ code: 'custom', message: 'must be a VirtualMachine manifest (a mapping)' });
      return z.NEVER;
    }
    const record = manifest as Record<string, unknown>;
    if (record.kind !== 'VirtualMachine') {
      context.addIssue({ code: 'custom', path: ['kind'], message: 'must be VirtualMachine' });
    }
    if (typeof record.apiVersion !== 'string' || !record.apiVersion.startsWith('kubevirt.io/')) {
      context.addIssue({ code: 'custom', path: ['apiVersion'], message: 'must be kubevirt.io/v1' });
    }
    const template = (record.spec as { template?: { spec?: { domain?: unknown } } } | undefined)?.template;
    if (typeof template?.spec?.domain !== 'object' || template.spec.domain === null) {
      context.addIssue({ code: 'custom', path: ['spec', 'template', 'spec', 'domain'], message: 'is required' });
    }
    return record;
  });

/**
 * How the adapter reaches the cluster: a kubeconfig, the seed's host + certificate + token, or the
 * pod's service account (`inCluster: true`). With none of them, the `KUBECONFIG` environment
 * variable names the kubeconfig file.
 */
const connectionShape = {
  /** A kubeconfig: `{ file: path }`, `{ env: NAME }` or its YAML inline. Secret (it holds credentials). */
  kubeconfig: secretInputSchema.optional(),
  /** Context of `kubeconfig` to use. Default: its `current-context`. */
  kubeconfigContext: z.string().min(1).optional(),
  /** The seed's "Kubernetes Host": API server URL, e.g. `https://203.0.113.10:6443`. */
  host: z.url({ protocol: /^https?$/, error: 'must be a URL such as https://203.0.113.10:6443' }).optional(),
  /** The seed's "Kubernetes SSL Certificate": base64 PEM of the cluster CA. Default: the system's trusted CAs. */
  certificateAuthorityData: certificateAuthorityDataSchema.optional(),
  /** The seed's "Kubernetes API Token": bearer token of the service account. Secret. */
  apiToken: secretInputSchema.optional(),
  /** Use the service account the pod runs as (`/var/run/secrets/kubernetes.io/serviceaccount`). */
  inCluster: z.boolean().optional(),
};

const commonShape = {
  /** Provider name in the YAML config. */
  name: z.string().optional(),
  ...connectionShape,
  /** The seed's "Max Instances": most VMs this provider config runs. The planner enforces it. */
  maxInstances: wholeNumber(0, 100_000),
  /** The seed's "VM Namespace": where VMs, Secrets and volumes are created. Do not change it while in use. */
  namespace: dnsLabel('Kubernetes namespace name'),
  /** The seed's "VM SSH Public Key": put in the cloud-init user data of each VM. */
  sshPublicKey: z
    .string()
    .regex(
      /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp\d+|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/=]+/,
      {
        error: 'must be an OpenSSH public key such as "ssh-ed25519 AAAA... user@host"',
      },
    )
    .optional(),
  /** The seed's "VM Installed OS Type": `linux` (cloud-init) or `windows` (cloudbase-init). */
  osType: z.enum(['linux', 'windows'], { error: 'must be "linux" or "windows"' }).default('linux'),
  /** The seed's "VM Cores". */
  cores: wholeNumber(1, 1024),
  /** The seed's "VM Memory", in MiB. */
  memoryMb: wholeNumber(128, 16 * 1024 * 1024),
  /** The seed's "VM Disk Size", in GiB: size of the cloned root disk. */
  diskSizeGb: wholeNumber(1, 65_536),
  /** Storage class of the root disk. Default: the cluster default (Harvester: `longhorn-<diskImage>`). */
  storageClassName: dnsSubdomain('storage class name').optional(),
  /** The seed's "VM Interface Type": how the NIC binds. Default `masquerade` on the pod network, `bridge` on multus. */
  interfaceType: z.enum(['masquerade', 'bridge'], { error: 'must be "masquerade" or "bridge"' }).optional(),
  /** The seed's "VM Network Type": the pod network or a multus network. */
  networkType: z.enum(['pod', 'multus'], { error: 'must be "pod" or "multus"' }).default('pod'),
  /** The seed's "VM Network Name": the interface name; for multus, the NetworkAttachmentDefinition (`name` or `namespace/name`). */
  networkName: z
    .string()
    .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
      error: 'must be a network name or namespace/name',
    })
    .max(253)
    .default('default'),
  /** The seed's "VM Startup Script" used when the autoscale config gives none; goes in the cloud-init Secret. */
  startupScript: z
    .string()
    .max(2 * 1024 * 1024, { error: 'must be at most 2 MiB' })
    .optional(),
  /**
   * The seed's "Configuration Override": a complete VirtualMachine manifest used instead of the
   * generated one. `$KASM_NAME` (and `$HEADROOM_NAME`) are replaced by the instance name; name,
   * namespace and labels are rewritten, `runStrategy: Always` and the hostname are set, and the
   * config-drive disk and volume are appended.
   */
  configOverride: configOverrideSchema.optional(),
  /** The seed's "Enable TPM": a persistent-less vTPM device. */
  enableTpm: z.boolean().default(false),
  /** The seed's "Enable EFI Boot": EFI firmware instead of BIOS. */
  enableEfiBoot: z.boolean().default(false),
  /** The seed's "Enable Secure Boot" (needs `enableEfiBoot`; turns on SMM as KubeVirt requires). */
  enableSecureBoot: z.boolean().default(false),
  /**
   * Seconds `createInstance` watches a new VM for scheduling: an unschedulable VM (no node has room)
   * becomes an `InsufficientCapacityError`, a quota refusal a `QuotaExceededError`, and the VM is
   * removed. 0 returns right after the create. Default 20.
   */
  schedulingTimeoutSeconds: wholeNumber(0, 600).default(20),
  /**
   * Age in seconds after which a Headroom Secret or PVC whose VM is gone is listed (as a `failed`
   * instance) so that the reconciler's orphan collection removes it. Default 900.
   */
  leftoverGraceSeconds: wholeNumber(0, 7 * 86_400).default(900),
};

type ConnectionFields = { kubeconfig?: unknown; host?: unknown; apiToken?: unknown; inCluster?: boolean | undefined };

function refineCommon(
  settings: ConnectionFields & {
    enableSecureBoot: boolean;
    enableEfiBoot: boolean;
    certificateAuthorityData?: unknown;
    kubeconfigContext?: unknown;
  },
  context: z.RefinementCtx,
): void {
  const modes = [
    settings.kubeconfig !== undefined && 'kubeconfig',
    settings.host !== undefined && 'host',
    settings.inCluster === true && 'inCluster',
  ].filter(Boolean);
  if (modes.length > 1) {
    context.addIssue({
      code: 'custom',
      path: [modes[1] as string],
      message: `cannot be combined with ${modes[0]}: use one of kubeconfig, host + apiToken, or inCluster: true`,
    });
  }
  if (settings.host !== undefined && settings.apiToken === undefined) {
    context.addIssue({ code: 'custom', path: ['apiToken'], message: 'is required with host' });
  }
  if (settings.apiToken !== undefined && settings.host === undefined) {
    context.addIssue({ code: 'custom', path: ['host'], message: 'is required with apiToken' });
  }
  if (settings.certificateAuthorityData !== undefined && settings.host === undefined) {
    context.addIssue({ code: 'custom', path: ['certificateAuthorityData'], message: 'is only used with host' });
  }
  if (settings.kubeconfigContext !== undefined && settings.kubeconfig === undefined) {
    context.addIssue({ code: 'custom', path: ['kubeconfigContext'], message: 'is only used with kubeconfig' });
  }
  if (settings.enableSecureBoot && !settings.enableEfiBoot) {
    context.addIssue({ code: 'custom', path: ['enableSecureBoot'], message: 'requires enableEfiBoot: true' });
  }
}

/**
 * The KubeVirt VM provider config (the seed's "KubeVirt Settings"), written under
 * `providers.<id>` with `type: kubevirt`. The root disk is cloned from a PVC (`diskSourcePvc`,
 * through a CDI DataVolume) or booted from a container image (`containerDiskImage`).
 */
export const kubevirtProviderSettingsSchema = z
  .strictObject({
    /** Provider type in the YAML config; optional when the settings are passed in code. */
    type: z.literal('kubevirt', { error: 'must be "kubevirt"' }).optional(),
    ...commonShape,
    /** The seed's "VM Disk Source": the PVC holding a cloud-ready image, cloned by a CDI DataVolume per VM. */
    diskSourcePvc: dnsSubdomain('PVC name').optional(),
    /** Namespace of `diskSourcePvc`. Default: `namespace`. */
    diskSourceNamespace: dnsLabel('Kubernetes namespace name').optional(),
    /** A containerDisk image (e.g. `quay.io/containerdisks/ubuntu:22.04`) instead of a cloned PVC; ephemeral. */
    containerDiskImage: z.string().min(1).max(1024).optional(),
  })
  .superRefine((settings, context) => {
    refineCommon(settings, context);
    if (settings.configOverride === undefined) {
      if (settings.diskSourcePvc === undefined && settings.containerDiskImage === undefined) {
        context.addIssue({
          code: 'custom',
          path: ['diskSourcePvc'],
          message: 'is required (or containerDiskImage, or a configOverride manifest)',
        });
      }
      if (settings.diskSourcePvc !== undefined && settings.containerDiskImage !== undefined) {
        context.addIssue({
          code: 'custom',
          path: ['containerDiskImage'],
          message: 'cannot be combined with diskSourcePvc',
        });
      }
    }
    if (settings.diskSourceNamespace !== undefined && settings.diskSourcePvc === undefined) {
      context.addIssue({ code: 'custom', path: ['diskSourceNamespace'], message: 'is only used with diskSourcePvc' });
    }
  });

/**
 * The Harvester VM provider config (the seed's "Harvester Settings"), written under
 * `providers.<id>` with `type: harvester`. The root disk is cloned from a Harvester image;
 * multus networks are Harvester VM networks (`namespace/name`, default namespace `namespace`).
 */
export const harvesterProviderSettingsSchema = z
  .strictObject({
    /** Provider type in the YAML config; optional when the settings are passed in code. */
    type: z.literal('harvester', { error: 'must be "harvester"' }).optional(),
    ...commonShape,
    /** The seed's "VM Disk Image": a Harvester image, `name` (in `namespace`) or `namespace/name`. */
    diskImage: z
      .string({ error: 'must be a Harvester image name or namespace/name' })
      .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
        error: 'must be a Harvester image name or namespace/name',
      })
      .optional(),
  })
  .superRefine((settings, context) => {
    refineCommon(settings, context);
    if (settings.configOverride === undefined && settings.diskImage === undefined) {
      context.addIssue({ code: 'custom', path: ['diskImage'], message: 'is required (or a configOverride manifest)' });
    }
  });

/** Parsed KubeVirt settings (defaults applied). */
export type KubevirtProviderParsedSettings = z.output<typeof kubevirtProviderSettingsSchema>;
/** Parsed Harvester settings (defaults applied). */
export type HarvesterProviderParsedSettings = z.output<typeof harvesterProviderSettingsSchema>;

/** Either flavour, with the type made explicit. */
export type KubevirtFlavourSettings =
  | (KubevirtProviderParsedSettings & { type: 'kubevirt' })
  | (HarvesterProviderParsedSettings & { type: 'harvester' });

/** Injectable seams shared by both flavours. */
export interface KubevirtProviderSeams {
  /** Kubernetes client to use instead of one built from the settings (tests, custom transports). */
  client?: KubevirtClient;
  /** Folder relative `{ file }` secrets resolve against. Default: the working directory. */
  configDirectory?: string;
}

/** Settings of `createKubevirtProvider`: the config fields plus injectable seams. */
export type KubevirtProviderSettings = z.input<typeof kubevirtProviderSettingsSchema> & KubevirtProviderSeams;
/** Settings of `createHarvesterProvider`: the config fields plus injectable seams. */
export type HarvesterProviderSettings = z.input<typeof harvesterProviderSettingsSchema> & KubevirtProviderSeams;
