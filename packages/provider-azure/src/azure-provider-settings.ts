import { secretInputSchema, type Timers } from '@headroom/core/provider';
import { z } from 'zod';
import type { AzureClients, AzureDnsClient } from './azure-client.js';

/** The four Azure clouds the seed names ("Azure Authority"). */
export const AZURE_AUTHORITIES = ['azure-public-cloud', 'azure-government', 'azure-china', 'azure-germany'] as const;
export type AzureAuthority = (typeof AZURE_AUTHORITIES)[number];

/** Members of the `VirtualMachine` model of `@azure/arm-compute` 24 that `configOverride` may set. */
export const VIRTUAL_MACHINE_MEMBERS = [
  'location',
  'tags',
  'plan',
  'identity',
  'zones',
  'extendedLocation',
  'placement',
  'hardwareProfile',
  'scheduledEventsPolicy',
  'storageProfile',
  'additionalCapabilities',
  'osProfile',
  'networkProfile',
  'securityProfile',
  'diagnosticsProfile',
  'availabilitySet',
  'virtualMachineScaleSet',
  'proximityPlacementGroup',
  'priority',
  'evictionPolicy',
  'billingProfile',
  'host',
  'hostGroup',
  'licenseType',
  'extensionsTimeBudget',
  'platformFaultDomain',
  'scheduledEventsProfile',
  'userData',
  'capacityReservation',
  'applicationProfile',
  'resiliencyProfile',
] as const;

const virtualMachineMembers = new Set<string>(VIRTUAL_MACHINE_MEMBERS);

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidSchema = (example: string) =>
  z.string({ error: `must be a GUID such as ${example}` }).regex(uuidPattern, {
    error: `must be a GUID such as ${example}`,
  });

/** A resource id: `/subscriptions/<guid>/resourceGroups/<group>/providers/<namespace>/<type>/<name>[/...]`. */
const resourceIdPattern =
  /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+(\/[^/]+\/[^/]+)*$/i;
const resourceIdSchema = (what: string, type: RegExp) =>
  z
    .string({ error: `must be the resource id of ${what}` })
    .refine((id) => resourceIdPattern.test(id) && type.test(id), {
      error: `must be the resource id of ${what}: /subscriptions/<id>/resourceGroups/<group>/providers/...`,
    });

const azureCredentialsShape = {
  /** Subscription id (GUID). Env fallback: `AZURE_SUBSCRIPTION_ID`. */
  subscriptionId: uuidSchema('00000000-0000-0000-0000-000000000000').optional(),
  /** Resource group of the VMs (compute) or of the DNS zone (DNS). */
  resourceGroup: z.string({ error: 'must be a resource group name' }).regex(/^[-\w.()]{1,89}[-\w()]$/u, {
    error: 'must be a resource group name (1-90 letters, digits, _ - . ( ); not ending with .)',
  }),
  /** Directory (tenant) id: a GUID or a domain. Env fallback: `AZURE_TENANT_ID`. */
  tenantId: z
    .string()
    .regex(/^[0-9a-zA-Z.-]+$/, { error: 'must be a tenant GUID or domain such as contoso.onmicrosoft.com' })
    .optional(),
  /** Application (client) id of the app registration. Env fallback: `AZURE_CLIENT_ID`. */
  clientId: uuidSchema('00000000-0000-0000-0000-000000000000').optional(),
  /** Client secret of the app registration. Secret. Env fallback: `AZURE_CLIENT_SECRET`. */
  clientSecret: secretInputSchema.optional(),
  /** The Azure cloud: its login authority and Resource Manager endpoint. Default `azure-public-cloud`. */
  azureAuthority: z
    .enum(AZURE_AUTHORITIES, { error: `must be one of ${AZURE_AUTHORITIES.join(', ')}` })
    .default('azure-public-cloud')
    .refine((authority) => authority !== 'azure-germany', {
      error:
        'Azure Germany (Microsoft Cloud Deutschland) closed on 2021-10-29; use azure-public-cloud with germanywestcentral or germanynorth',
    }),
  /** Resource Manager endpoint override (Azure Stack, tests). Defaults to the cloud's. */
  endpoint: z.url({ protocol: /^https$/, error: 'must be an https URL' }).optional(),
  /** Login authority override (Azure Stack, tests). Defaults to the cloud's; turns off instance discovery. */
  authorityHost: z.url({ protocol: /^https$/, error: 'must be an https URL' }).optional(),
};

/** Custom tags: Azure allows 50 per resource; Headroom uses 4. Keys ≤ 512, values ≤ 256 characters. */
const customTagsSchema = z
  .record(
    z
      .string()
      .min(1)
      .max(512, { error: 'tag keys are at most 512 characters' })
      .regex(/^[^<>%&\\?/]+$/, { error: 'tag keys cannot contain < > % & \\ ? /' })
      .refine((key) => !/^(microsoft|azure|windows)/i.test(key), {
        error: 'tag keys starting with microsoft, azure or windows are reserved by Azure',
      })
      .refine((key) => !key.startsWith('headroom-'), {
        error: 'tag keys starting with "headroom-" are reserved by Headroom',
      }),
    z.string().max(256, { error: 'tag values are at most 256 characters' }),
  )
  .default({})
  .refine((tags) => Object.keys(tags).length <= 46, {
    error: 'at most 46 custom tags (Azure allows 50, Headroom uses 4)',
  });

/** A marketplace image (`publisher`, `offer`, `sku`, `version`) or a gallery/managed image `id`. */
export const azureImageReferenceSchema = z.union(
  [
    z.strictObject({
      publisher: z.string().min(1),
      offer: z.string().min(1),
      sku: z.string().min(1),
      version: z.string().min(1).default('latest'),
    }),
    z.strictObject({
      id: resourceIdSchema(
        'an image or gallery image version',
        /\/providers\/Microsoft\.Compute\/(images|galleries)\//i,
      ),
    }),
    z.strictObject({
      sharedGalleryImageId: z.string().startsWith('/SharedGalleries/', { error: 'must start with /SharedGalleries/' }),
    }),
    z.strictObject({
      communityGalleryImageId: z
        .string()
        .startsWith('/CommunityGalleries/', { error: 'must start with /CommunityGalleries/' }),
    }),
  ],
  {
    error:
      'must be a marketplace reference { publisher, offer, sku, version } or { id } of a gallery image version or managed image',
  },
);

export type AzureImageReference = z.output<typeof azureImageReferenceSchema>;

/** Usernames Azure refuses for the administrator account. */
const reservedUsernames = new Set([
  'administrator',
  'admin',
  'user',
  'user1',
  'test',
  'user2',
  'test1',
  'user3',
  'admin1',
  '1',
  '123',
  'a',
  'actuser',
  'adm',
  'admin2',
  'aspnet',
  'backup',
  'console',
  'david',
  'guest',
  'john',
  'owner',
  'root',
  'server',
  'sql',
  'support',
  'support_388945a0',
  'sys',
  'test2',
  'test3',
  'user4',
  'user5',
]);

/**
 * The Azure VM provider config (the seed's "Azure VM Settings"), as written under
 * `providers.<id>` with `type: azure`. `headroom validate` checks provider configs with this schema.
 */
export const azureProviderSettingsSchema = z
  .strictObject({
    /** Provider type in the YAML config; optional when the settings are passed in code. */
    type: z.literal('azure', { error: 'must be "azure"' }).optional(),
    /** A name to identify the config. */
    name: z.string().optional(),
    ...azureCredentialsShape,
    /** Region of the VMs, e.g. `eastus`. */
    region: z
      .string({ error: 'must be an Azure region such as eastus' })
      .regex(/^[a-z][a-z0-9]+$/, { error: 'must be an Azure region name such as eastus or westeurope' }),
    /** Most VMs this provider config may run, across all autoscale configs. The planner enforces it. */
    maxInstances: z
      .number({ error: 'must be a number' })
      .int({ error: 'must be a whole number' })
      .min(0, { error: 'must be ≥ 0' }),
    /** VM size, e.g. `Standard_D4s_v5`. */
    vmSize: z
      .string({ error: 'must be a VM size such as Standard_D4s_v5' })
      .regex(/^(Standard|Basic)_[A-Za-z0-9_-]+$/, { error: 'must be a VM size such as Standard_D4s_v5' }),
    /** Storage type of the OS disk. Default `StandardSSD_LRS`. */
    osDiskType: z
      .enum(
        [
          'Standard_LRS',
          'StandardSSD_LRS',
          'StandardSSD_ZRS',
          'Premium_LRS',
          'Premium_ZRS',
          'PremiumV2_LRS',
          'UltraSSD_LRS',
        ],
        {
          error:
            'must be one of Standard_LRS, StandardSSD_LRS, StandardSSD_ZRS, Premium_LRS, Premium_ZRS, PremiumV2_LRS, UltraSSD_LRS',
        },
      )
      .default('StandardSSD_LRS'),
    /** Size of the OS disk in GB. Defaults to the image's. */
    osDiskSizeGb: z
      .number()
      .int({ error: 'must be a whole number' })
      .min(1, { error: 'must be ≥ 1' })
      .max(4095, { error: 'must be ≤ 4095' })
      .optional(),
    /** The image: marketplace reference or gallery image id (the seed's "OS Image Reference (JSON)"). */
    imageReference: azureImageReferenceSchema,
    /** Whether the image is Windows (osProfile.windowsConfiguration, 15-character computer names). */
    isWindows: z.boolean().default(false),
    /** Network security group attached to the NIC (resource id). Optional. */
    networkSecurityGroup: resourceIdSchema(
      'a network security group',
      /\/providers\/Microsoft\.Network\/networkSecurityGroups\/[^/]+$/i,
    ).optional(),
    /** Subnet of the NIC (resource id `/subscriptions/…/virtualNetworks/<vnet>/subnets/<subnet>`). */
    subnet: resourceIdSchema('a subnet', /\/providers\/Microsoft\.Network\/virtualNetworks\/[^/]+\/subnets\/[^/]+$/i),
    /** Give each VM a Standard static public IP (tagged, deleted with the VM). Default false. */
    assignPublicIp: z.boolean().default(false),
    /** Custom tags on the VM, NIC, public IP and OS disk. `headroom-*` keys are reserved. */
    tags: customTagsSchema,
    /** Administrator username. */
    osUsername: z
      .string({ error: 'must be a username' })
      .min(1)
      .max(64, { error: 'is at most 64 characters (20 on Windows)' })
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, { error: 'must be letters, digits, _ . - and not start with . or -' })
      .refine((username) => !reservedUsernames.has(username.toLowerCase()), {
        error: 'is a username Azure reserves (admin, administrator, root, ...)',
      }),
    /** Administrator password. Secret. Required for Windows; on Linux password SSH login stays disabled. */
    osPassword: secretInputSchema.optional(),
    /** SSH public key of `osUsername` (Linux). */
    sshPublicKey: z
      .string()
      .regex(/^(ssh-rsa|ssh-ed25519|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/=]+( .*)?$/, {
        error: 'must be an OpenSSH public key (ssh-rsa|ssh-ed25519|ecdsa-sha2-… AAAA…)',
      })
      .optional(),
    /** Startup script (custom data) used when the autoscale config gives none. At most 64 KiB once rendered. */
    startupScript: z.string().optional(),
    /**
     * Deep-merged into the VM create request (members of `@azure/arm-compute`'s `VirtualMachine`:
     * `properties` are flattened, e.g. `securityProfile`, `priority`, `zones`). A top-level
     * `properties` object, as in the portal's JSON view, is lifted. Objects merge member by member,
     * arrays and values replace. Headroom always sets the name, the `headroom-*` tags and the NIC.
     */
    configOverride: z
      .record(z.string(), z.unknown())
      .superRefine((override, context) => {
        for (const [key, value] of Object.entries(override)) {
          if (key === 'properties') {
            if (value === null || typeof value !== 'object' || Array.isArray(value)) {
              context.addIssue({ code: 'custom', path: [key], message: 'must be an object' });
              continue;
            }
            for (const member of Object.keys(value)) {
              if (!virtualMachineMembers.has(member)) {
                context.addIssue({ code: 'custom', path: [key, member], message: 'is not a VirtualMachine property' });
              }
            }
          } else if (!virtualMachineMembers.has(key)) {
            context.addIssue({
              code: 'custom',
              path: [key],
              message: 'is not a VirtualMachine member (e.g. securityProfile, priority, zones, diagnosticsProfile)',
            });
          }
        }
      })
      .optional(),
    /** Interval between polls of long-running operations. Default 2000 ms (the SDK's). */
    pollIntervalMs: z
      .number()
      .int()
      .min(10, { error: 'must be ≥ 10' })
      .max(60_000, { error: 'must be ≤ 60000' })
      .default(2000),
  })
  .superRefine((settings, context) => {
    if (settings.isWindows) {
      if (settings.osPassword === undefined) {
        context.addIssue({ code: 'custom', path: ['osPassword'], message: 'is required for Windows images' });
      }
      if (settings.osUsername.length > 20) {
        context.addIssue({ code: 'custom', path: ['osUsername'], message: 'is at most 20 characters on Windows' });
      }
      if (settings.sshPublicKey !== undefined) {
        context.addIssue({ code: 'custom', path: ['sshPublicKey'], message: 'applies to Linux images only' });
      }
    } else if (settings.osPassword === undefined && settings.sshPublicKey === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['sshPublicKey'],
        message: 'is required on Linux when osPassword is not set',
      });
    }
  });

/** Parsed Azure VM provider settings (defaults applied). */
export type AzureProviderParsedSettings = z.output<typeof azureProviderSettingsSchema>;

/** Settings of `createAzureProvider`: the config fields plus injectable seams. */
export type AzureProviderSettings = z.input<typeof azureProviderSettingsSchema> & {
  /** SDK clients to use instead of creating them (tests, custom pipelines). */
  clients?: AzureClients;
  /** Sleeps between polls of long-running operations. Default: real timers. */
  timers?: Timers;
};

/** The Azure DNS provider config (the seed's "Azure DNS Provider Settings"). */
export const azureDnsProviderSettingsSchema = z.strictObject({
  /** Provider type in the YAML config; optional when the settings are passed in code. */
  type: z.literal('azure', { error: 'must be "azure"' }).optional(),
  /** A name to identify the config. */
  name: z.string().optional(),
  ...azureCredentialsShape,
  /** Accepted for the seed's field list; Azure DNS is global, so it is not used. */
  region: z
    .string()
    .regex(/^[a-z][a-z0-9]+$/, { error: 'must be an Azure region name such as eastus' })
    .optional(),
  /**
   * DNS zone to manage. Defaults to the most specific zone of the resource group whose name is the
   * base domain or one of its parents.
   */
  zoneName: z
    .string()
    .regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]+$/i, { error: 'must be a DNS zone name such as example.com' })
    .optional(),
});

/** Parsed Azure DNS provider settings (defaults applied). */
export type AzureDnsProviderParsedSettings = z.output<typeof azureDnsProviderSettingsSchema>;

/** Settings of `createAzureDnsProvider`: the config fields plus injectable seams. */
export type AzureDnsProviderSettings = z.input<typeof azureDnsProviderSettingsSchema> & {
  /** DNS client to use instead of the SDK's (tests, custom pipelines). */
  dnsClient?: AzureDnsClient;
};
