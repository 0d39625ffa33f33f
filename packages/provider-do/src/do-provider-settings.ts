import { type Clock, secretInputSchema, type Timers } from '@headroom/core/provider';
import { z } from 'zod';
import type { DoFetch } from './do-client.js';

/** DigitalOcean tag names: letters, digits, colons, dashes and underscores, at most 255 characters. */
export const DO_TAG_NAME_PATTERN = /^[A-Za-z0-9:_-]{1,255}$/;

const tagNameSchema = z
  .string()
  .regex(DO_TAG_NAME_PATTERN, {
    error: 'must be a DigitalOcean tag: letters, digits, colons, dashes and underscores, at most 255 characters',
  })
  .refine((tag) => !tag.toLowerCase().startsWith('headroom-'), {
    error: 'tags starting with "headroom-" are reserved by Headroom',
  });

/** SSH key fingerprints as DigitalOcean shows them: MD5, colon-separated hex. */
export const DO_SSH_KEY_FINGERPRINT_PATTERN = /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/;

const sshKeySchema = z.union(
  [
    z.number().int({ error: 'must be a whole number' }).positive({ error: 'must be a positive key id' }),
    z.string().min(1, { error: 'must not be empty' }).max(255),
  ],
  { error: 'must be an SSH key id (number), fingerprint (aa:bb:…) or key name' },
);

const connectionShape = {
  /**
   * Personal access token (the seed's "Token"). Secret: inline, `{ env }` or `{ file }`.
   * Defaults to the `DIGITALOCEAN_TOKEN` environment variable.
   */
  token: secretInputSchema.optional(),
  /** API base URL. Default `https://api.digitalocean.com` (tests point it at a local fake). */
  endpoint: z
    .url({ error: 'must be a URL such as https://api.digitalocean.com' })
    .default('https://api.digitalocean.com'),
  /** Per-request timeout. Default 30 s. */
  requestTimeoutSeconds: z.number().int({ error: 'must be a whole number' }).min(1).max(300).default(30),
  /**
   * After a 429 (or `ratelimit-remaining: 0`), calls wait until `ratelimit-reset`; a reset further
   * away than this fails the call as retryable instead of waiting. Default 60 s.
   */
  maxRateLimitWaitSeconds: z.number().int({ error: 'must be a whole number' }).min(0).max(3600).default(60),
};

/**
 * The DigitalOcean VM provider config (the seed's "Digital Ocean Settings"), written under
 * `providers.<id>` with `type: digitalocean`. `headroom validate` checks configs with this schema.
 */
export const doProviderSettingsSchema = z.strictObject({
  /** Provider type in the YAML config; optional when the settings are passed in code. */
  type: z.literal('digitalocean', { error: 'must be "digitalocean"' }).optional(),
  /** A name to identify the config. */
  name: z.string().optional(),
  ...connectionShape,
  /** Most droplets this provider config may run (the seed's "Max Droplets"). The planner enforces it. */
  maxInstances: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(0, {
    error: 'must be ≥ 0',
  }),
  /** Region slug the droplets run in, e.g. `nyc1`. */
  region: z
    .string({ error: 'must be a region slug such as nyc1' })
    .regex(/^[a-z]{3}\d$/, { error: 'must be a region slug such as nyc1' }),
  /** Droplet size slug, e.g. `s-2vcpu-4gb` or `c-2`. */
  size: z
    .string({ error: 'must be a size slug such as s-2vcpu-4gb' })
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'must be a size slug such as s-2vcpu-4gb' }),
  /** Image: a slug (`ubuntu-24-04-x64`) or the numeric id of a snapshot or custom image. */
  image: z.union(
    [
      z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, { error: 'must be an image slug such as ubuntu-24-04-x64' }),
      z.number().int().positive(),
    ],
    { error: 'must be an image slug such as ubuntu-24-04-x64 or a numeric image id' },
  ),
  /** VPC the droplets join (UUID). Defaults to the region's default VPC. */
  vpcUuid: z.uuid({ error: 'must be a VPC UUID' }).optional(),
  /**
   * SSH keys installed on the droplets: ids, fingerprints, or key names (the seed's "SSH Key Name";
   * names are looked up in the account). Each must already exist in the account.
   */
  sshKeys: z.array(sshKeySchema).max(100).default([]),
  /**
   * Extra tags on the droplets: a list, or the seed's comma-separated string. Tags that do not
   * exist yet are created.
   */
  tags: z
    .union(
      [
        z.string().transform((list) =>
          list
            .split(',')
            .map((tag) => tag.trim())
            .filter((tag) => tag !== ''),
        ),
        z.array(z.string()),
      ],
      {
        error: 'must be a list of tags or a comma-separated string',
      },
    )
    .pipe(z.array(tagNameSchema).max(50, { error: 'at most 50 tags' }))
    .default([]),
  /** Name of a cloud firewall (must exist) the droplets are added to. */
  firewallName: z.string().min(1).max(255).optional(),
  /** Startup script (user data) when the autoscale config gives none. At most 64 KiB. */
  startupScript: z.string().optional(),
  /** Enable the droplets' public IPv6 address. Default false. */
  ipv6: z.boolean().default(false),
  /** Install the DigitalOcean metrics agent. Default false. */
  monitoring: z.boolean().default(false),
});

/** Parsed DigitalOcean provider settings (defaults applied). */
export type DoProviderParsedSettings = z.output<typeof doProviderSettingsSchema>;

/** Seams tests and embedders inject: the HTTP function and time. */
export interface DoInjectedSeams {
  /** `fetch` to use (default: the global one). */
  fetch?: DoFetch;
  clock?: Clock;
  timers?: Timers;
  /** Folder relative `{ file }` secrets resolve against. */
  configDirectory?: string;
}

/** Settings of `createDoProvider`: the config fields plus injectable seams. */
export type DoProviderSettings = z.input<typeof doProviderSettingsSchema> & DoInjectedSeams;

/** The DigitalOcean DNS provider config (the seed's "Digital Ocean DNS Provider Settings"). */
export const doDnsProviderSettingsSchema = z.strictObject({
  /** Provider type in the YAML config; optional when the settings are passed in code. */
  type: z.literal('digitalocean', { error: 'must be "digitalocean"' }).optional(),
  /** A name to identify the config. */
  name: z.string().optional(),
  ...connectionShape,
  /**
   * The DigitalOcean domain that holds the records. Default: the most specific domain of the
   * account that is the base domain or one of its parents.
   */
  domain: z
    .string()
    .regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/i, { error: 'must be a domain name such as example.com' })
    .optional(),
});

/** Parsed DigitalOcean DNS settings. */
export type DoDnsProviderParsedSettings = z.output<typeof doDnsProviderSettingsSchema>;

/** Settings of `createDoDnsProvider`. */
export type DoDnsProviderSettings = z.input<typeof doDnsProviderSettingsSchema> & DoInjectedSeams;
