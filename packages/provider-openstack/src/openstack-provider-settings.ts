import { type Clock, secretInputSchema, type Timers } from '@headroom/core/provider';
import { z } from 'zod';
import type { OpenstackFetch } from './openstack-http.js';

/** Lowest compute microversion the adapter speaks: `"networks": "none"`/`"auto"` need 2.37. */
export const MIN_NOVA_MICROVERSION = '2.37';
/** Default compute microversion: embedded flavors in servers (2.47) and more; supported since Train. */
export const DEFAULT_NOVA_MICROVERSION = '2.79';

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * An endpoint URL. The seed requires endpoints with trusted TLS certificates: `http:` is accepted
 * only on loopback (test stacks); anything else must be `https:`.
 */
const endpointSchema = z.url({ error: 'must be a URL such as https://openstack.example.com:5000/v3' }).refine(
  (value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || (url.protocol === 'http:' && loopbackHosts.has(url.hostname));
  },
  { error: 'must be https:// (plain http:// is accepted only for 127.0.0.1/localhost)' },
);

const microversionSchema = z
  .string({ error: 'must be a compute microversion such as 2.79' })
  .regex(/^2\.\d{1,3}$/, { error: 'must be a compute microversion such as 2.79' })
  .refine((value) => Number(value.split('.')[1]) >= 37, {
    error: `must be ${MIN_NOVA_MICROVERSION} or later (servers without networks need 2.37)`,
  });

const nameSchema = (what: string) =>
  z
    .string({ error: `must be ${what}` })
    .min(1, { error: 'must not be empty' })
    .max(255, { error: 'is at most 255 characters' });

/** Nova metadata: at most 128 items, keys and values at most 255 characters. */
const metadataSchema = z
  .record(
    z.string().min(1).max(255, { error: 'metadata keys are at most 255 characters' }),
    z
      .string({ error: 'metadata values must be strings' })
      .max(255, { error: 'metadata values are at most 255 characters' }),
  )
  .superRefine((metadata, context) => {
    for (const key of Object.keys(metadata)) {
      if (key.startsWith('headroom-')) {
        context.addIssue({
          code: 'custom',
          path: [key],
          message: 'keys starting with "headroom-" are reserved by Headroom',
        });
      }
    }
  })
  .refine((metadata) => Object.keys(metadata).length <= 120, {
    error: 'at most 120 metadata items (Nova allows 128, Headroom uses 4)',
  });

/** Top-level members of Nova's `POST /servers` `server` object that `configOverride` may set. */
export const NOVA_SERVER_REQUEST_MEMBERS = [
  'accessIPv4',
  'accessIPv6',
  'adminPass',
  'availability_zone',
  'block_device_mapping_v2',
  'config_drive',
  'description',
  'flavorRef',
  'host',
  'hostname',
  'hypervisor_hostname',
  'imageRef',
  'key_name',
  'metadata',
  'min_count',
  'max_count',
  'networks',
  'OS-DCF:diskConfig',
  'personality',
  'return_reservation_id',
  'security_groups',
  'tags',
  'trusted_image_certificates',
  'user_data',
  'os:scheduler_hints',
] as const;

const serverMembers = new Set<string>(NOVA_SERVER_REQUEST_MEMBERS);
const ownedMembers = new Set(['name', 'min_count', 'max_count', 'return_reservation_id']);

const durationMsSchema = (maxMs: number) =>
  z
    .number({ error: 'must be a number of milliseconds' })
    .int({ error: 'must be a whole number of milliseconds' })
    .min(100, { error: 'must be ≥ 100 ms' })
    .max(maxMs, { error: `must be ≤ ${maxMs} ms` });

/**
 * The OpenStack VM provider config (the seed's "OpenStack Settings"), as written under
 * `providers.<id>` with `type: openstack`. `headroom validate` checks provider configs with it.
 */
export const openstackProviderSettingsSchema = z
  .strictObject({
    /** Provider type in the YAML config; optional when the settings are passed in code. */
    type: z.literal('openstack', { error: 'must be "openstack"' }).optional(),
    /** A name to identify the config. */
    name: z.string().optional(),
    /** Most servers this provider config may run, across all autoscale configs. The planner enforces it. */
    maxInstances: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(0, {
      error: 'must be ≥ 0',
    }),
    /** Keystone (Identity v3) endpoint, e.g. `https://keystone.example.com:5000/v3` (`/v3` is added when missing). */
    identityEndpoint: endpointSchema,
    /** Region of the catalog endpoints, e.g. `RegionOne`. Default: the first endpoint of each service. */
    region: nameSchema('a region name such as RegionOne').optional(),
    /** Catalog interface to use. Default `public`. */
    endpointInterface: z
      .enum(['public', 'internal', 'admin'], { error: 'must be public, internal or admin' })
      .default('public'),
    /** Nova (compute) endpoint, overriding the catalog's, e.g. `https://nova.example.com:8774/v2.1`. */
    novaEndpoint: endpointSchema.optional(),
    /** Compute API microversion sent with every Nova call (≥ 2.37). Default 2.79. */
    novaVersion: microversionSchema.default(DEFAULT_NOVA_MICROVERSION),
    /** Glance (image) endpoint, overriding the catalog's, e.g. `https://glance.example.com:9292`. */
    glanceEndpoint: endpointSchema.optional(),
    /** Image API version. Only `v2` exists. */
    glanceVersion: z.literal('v2', { error: 'must be "v2"' }).default('v2'),
    /**
     * Cinder (block storage) endpoint, overriding the catalog's; it contains the project id, e.g.
     * `https://cinder.example.com:8776/v3/<project id>` (`%(project_id)s` is replaced).
     */
    cinderEndpoint: endpointSchema.optional(),
    /** Block storage API version. Default `v3` (the only one maintained). */
    cinderVersion: z.literal('v3', { error: 'must be "v3"' }).default('v3'),
    /** `applicationCredential` (recommended: revocable, restricted by access rules) or `password`. */
    authenticationMethod: z.enum(['applicationCredential', 'password'], {
      error: 'must be applicationCredential or password',
    }),
    /** Id of the application credential (`authenticationMethod: applicationCredential`). */
    applicationCredentialId: nameSchema('an application credential id').optional(),
    /** Secret of the application credential. Secret: inline, `{ env }` or `{ file }`. */
    applicationCredentialSecret: secretInputSchema.optional(),
    /** User name (`authenticationMethod: password`). */
    username: nameSchema('a user name').optional(),
    /** Password of `username`. Secret: inline, `{ env }` or `{ file }`. */
    password: secretInputSchema.optional(),
    /** Project the servers are created in (`authenticationMethod: password`; an application credential carries its project). */
    projectName: nameSchema('a project name').optional(),
    /** Domain of the project. Default `Default`. */
    projectDomainName: nameSchema('a domain name such as Default').default('Default'),
    /** Domain of the user. Default `Default`. */
    userDomainName: nameSchema('a domain name such as Default').default('Default'),
    /** Metadata on every server and volume, besides Headroom's `headroom-*` keys. */
    metadata: metadataSchema.default({}),
    /** Image the servers (or their boot volumes) are created from. */
    imageId: nameSchema('an image id'),
    /** Flavor of the servers, by name (or id), e.g. `m1.medium`. */
    flavor: nameSchema('a flavor name such as m1.medium'),
    /** Boot from a new Cinder volume created from the image instead of Nova's ephemeral disk. */
    createVolume: z.boolean({ error: 'must be true or false' }).default(false),
    /** Size of the boot volume in GB; required with `createVolume`. */
    volumeSizeGb: z
      .number({ error: 'must be a number' })
      .int({ error: 'must be a whole number' })
      .min(1, { error: 'must be ≥ 1' })
      .max(65536, { error: 'must be ≤ 65536' })
      .optional(),
    /** Volume type of the boot volume, e.g. `ssd`. Default: the cloud's default type. */
    volumeType: nameSchema('a volume type name').optional(),
    /** Startup script (Nova user data) used when the autoscale config gives none. At most 64 KiB once encoded. */
    startupScript: z.string().optional(),
    /** Security groups of the servers, by name, e.g. `[default, kasm]`. Default: the cloud's default group. */
    securityGroups: z.array(nameSchema('a security group name')).max(50).default([]),
    /** Network the servers attach to: a network id, `auto` (Nova picks or allocates one) or `none`. Default `auto`. */
    networkId: nameSchema('a network id, auto or none').default('auto'),
    /** SSH key pair injected into the servers. */
    keyName: nameSchema('a key pair name').optional(),
    /** Availability zone the servers are placed in. Default: the scheduler's choice. */
    availabilityZone: nameSchema('an availability zone name').optional(),
    /** Attach a config drive (cloud-init then reads user data without the metadata service). */
    configDrive: z.boolean({ error: 'must be true or false' }).default(false),
    /**
     * Merged into Nova's `server` object (top-level members, Nova's names). Precedence, lowest first:
     * the other settings, this override, then what Headroom always sets: `name`, one server per
     * request, and the `headroom-*` metadata keys.
     */
    configOverride: z
      .record(z.string(), z.unknown())
      .superRefine((override, context) => {
        for (const key of Object.keys(override)) {
          if (!serverMembers.has(key) || ownedMembers.has(key)) {
            context.addIssue({
              code: 'custom',
              path: [key],
              message: ownedMembers.has(key)
                ? 'is set by Headroom and cannot be overridden'
                : 'is not a member of Nova\'s POST /servers "server" object (e.g. block_device_mapping_v2, os:scheduler_hints, description)',
            });
          }
        }
      })
      .optional(),
    /** Timeout of one API call. Default 30 s. */
    requestTimeoutMs: durationMsSchema(300_000).default(30_000),
    /** How long create waits for Nova's scheduler (a "No valid host" refusal). Default 60 s. */
    schedulingTimeoutMs: durationMsSchema(900_000).default(60_000),
    /** How long create waits for a boot volume to become available, and destroy for a server to be gone. Default 300 s. */
    settleTimeoutMs: durationMsSchema(3_600_000).default(300_000),
    /** Interval between polls of a server or volume. Default 2 s. */
    pollIntervalMs: durationMsSchema(60_000).default(2_000),
  })
  .superRefine((settings, context) => {
    const require = (field: keyof typeof settings, when: string) => {
      if (settings[field] === undefined)
        context.addIssue({ code: 'custom', path: [field], message: `is required ${when}` });
    };
    if (settings.authenticationMethod === 'applicationCredential') {
      require('applicationCredentialId', 'with authenticationMethod applicationCredential');
      require('applicationCredentialSecret', 'with authenticationMethod applicationCredential');
    } else {
      require('username', 'with authenticationMethod password');
      require('password', 'with authenticationMethod password');
      require('projectName', 'with authenticationMethod password');
    }
    if (settings.createVolume) require('volumeSizeGb', 'when createVolume is on');
    for (const field of ['volumeSizeGb', 'volumeType'] as const) {
      if (!settings.createVolume && settings[field] !== undefined) {
        context.addIssue({ code: 'custom', path: [field], message: 'can only be set when createVolume is on' });
      }
    }
  });

/** Parsed OpenStack provider settings (defaults applied). */
export type OpenstackProviderParsedSettings = z.output<typeof openstackProviderSettingsSchema>;

/** Settings of `createOpenstackProvider`: the config fields plus injectable seams. */
export type OpenstackProviderSettings = z.input<typeof openstackProviderSettingsSchema> & {
  /** `fetch` to use instead of the global one (tests, proxies). */
  fetch?: OpenstackFetch;
  /** Source of the current time (token expiry, poll deadlines). Default: the system clock. */
  clock?: Clock;
  /** Sleeps between polls. Default: real timers. */
  timers?: Timers;
  /** Folder relative `{ file }` secrets resolve against (the config file's). Default: the working directory. */
  configDirectory?: string;
};
