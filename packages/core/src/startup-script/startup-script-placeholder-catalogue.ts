import type { PlaceholderSourceContext, StartupScriptPlaceholderDefinition } from './startup-script-placeholder.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value != null && typeof value === 'object' && !Array.isArray(value);

const sectionOf = (record: Record<string, unknown>, key: string): Record<string, unknown> =>
  isRecord(record[key]) ? record[key] : {};

const createsComputerRecord = (context: PlaceholderSourceContext) =>
  sectionOf(context.autoscale, 'activeDirectory').createComputerRecord === true;

/**
 * Every placeholder startup scripts may use (the seed's names, plus `dns_base_domain` and
 * `computer_name`), with its value source and the pool kinds it is valid for.
 */
export const STARTUP_SCRIPT_PLACEHOLDER_CATALOGUE = [
  {
    name: 'server_id',
    source: 'the Headroom id of the new instance',
    poolKinds: ['docker-agent', 'server'],
    secret: false,
    valueFor: (input) => input.instanceName,
  },
  {
    name: 'server_hostname',
    source: 'the host name of the new instance (its Headroom id)',
    poolKinds: ['docker-agent', 'server'],
    secret: false,
    valueFor: (input) => input.instanceName,
  },
  {
    name: 'server_external_fqdn',
    source: '<id>.<dns.baseDomain> with dns set, else the Headroom id',
    poolKinds: ['docker-agent', 'server'],
    secret: false,
    valueFor: (input) =>
      input.entry.autoscale.dns ? `${input.instanceName}.${input.entry.autoscale.dns.baseDomain}` : input.instanceName,
  },
  {
    name: 'provider_name',
    source: "the provider config's name (its id when unnamed)",
    poolKinds: ['docker-agent', 'server'],
    secret: false,
    valueFor: (input) => input.config.providers[input.entry.autoscale.provider]?.name ?? input.entry.autoscale.provider,
  },
  {
    name: 'dns_base_domain',
    source: 'dns.baseDomain of the autoscale config',
    poolKinds: ['docker-agent', 'server'],
    secret: false,
    missingSource: (context) => (isRecord(context.autoscale.dns) ? undefined : 'set dns.baseDomain'),
    valueFor: (input) => input.entry.autoscale.dns?.baseDomain,
  },
  {
    name: 'domain',
    source: 'activeDirectory.domain (the Active Directory domain; the DNS base domain is {dns_base_domain})',
    poolKinds: ['server'],
    secret: false,
    missingSource: (context) =>
      typeof sectionOf(context.autoscale, 'activeDirectory').domain === 'string'
        ? undefined
        : 'set activeDirectory.domain',
    valueFor: (input) => (input.entry.kind === 'server' ? input.entry.autoscale.activeDirectory?.domain : undefined),
  },
  {
    name: 'ad_join_credential',
    source: 'the one-time password of the computer record created for the instance',
    poolKinds: ['server'],
    secret: true,
    missingSource: (context) =>
      createsComputerRecord(context) ? undefined : 'set activeDirectory.createComputerRecord: true',
    valueFor: (input) => input.computerRecord?.joinPassword,
  },
  {
    name: 'computer_name',
    source: 'the NetBIOS name of the computer record created for the instance (at most 15 characters)',
    poolKinds: ['server'],
    secret: false,
    missingSource: (context) =>
      createsComputerRecord(context) ? undefined : 'set activeDirectory.createComputerRecord: true',
    valueFor: (input) => input.computerRecord?.computerName,
  },
  {
    name: 'upstream_auth_address',
    source: 'checkin.upstreamAuthAddress (supplied by the service)',
    poolKinds: ['docker-agent', 'server'],
    secret: false,
    missingSource: (context) =>
      typeof sectionOf(context.config, 'checkin').upstreamAuthAddress === 'string'
        ? undefined
        : 'set checkin.upstreamAuthAddress',
  },
  {
    name: 'checkin_jwt',
    source: 'a check-in token the service signs with checkin.signingKey',
    poolKinds: ['docker-agent', 'server'],
    secret: true,
    missingSource: (context) =>
      sectionOf(context.config, 'checkin').signingKey === undefined ? 'set checkin.signingKey' : undefined,
  },
] as const satisfies readonly StartupScriptPlaceholderDefinition[];

export type StartupScriptPlaceholder = (typeof STARTUP_SCRIPT_PLACEHOLDER_CATALOGUE)[number]['name'];

/** The definition of each placeholder, by name. */
export const STARTUP_SCRIPT_PLACEHOLDER_DEFINITIONS: ReadonlyMap<string, StartupScriptPlaceholderDefinition> = new Map(
  STARTUP_SCRIPT_PLACEHOLDER_CATALOGUE.map((definition) => [definition.name, definition]),
);
