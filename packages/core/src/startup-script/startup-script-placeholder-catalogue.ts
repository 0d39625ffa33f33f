import { sshPublicKeyOf } from '../config/ssh-public-key.js';
import type { PlaceholderSourceContext, StartupScriptPlaceholderDefinition } from './startup-script-placeholder.js';
import { upstreamAuthAddressProblem } from './upstream-auth-address-problem.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value != null && typeof value === 'object' && !Array.isArray(value);

const sectionOf = (record: Record<string, unknown>, key: string): Record<string, unknown> =>
  isRecord(record[key]) ? record[key] : {};

const connectionOf = (context: PlaceholderSourceContext) => sectionOf(context.autoscale, 'connection');

/** What Python's `str.format` writes for None: Kasm's scripts test for it (`[ "$GIVEN_FQDN" == "None" ]`). */
export const PYTHON_NONE = 'None';

const createsComputerRecord = (context: PlaceholderSourceContext) =>
  sectionOf(context.autoscale, 'activeDirectory').createComputerRecord === true;

/**
 * Every placeholder startup scripts may use (the seed's names and those of Kasm's published
 * autoscale scripts, plus `dns_base_domain` and `computer_name`), with its value source and the
 * pool kinds it is valid for.
 */
export const STARTUP_SCRIPT_PLACEHOLDER_CATALOGUE = [
  {
    name: 'server_id',
    source: 'a UUID of the instance, the same on every render (kept in its intent and ledger entry)',
    poolKinds: ['docker-agent', 'server'],
    secret: false,
    valueFor: (input) => input.serverId,
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
    source: "<id>.<dns.baseDomain> with dns set, else None (Python's None, as Kasm renders it)",
    poolKinds: ['docker-agent', 'server'],
    secret: false,
    valueFor: (input) =>
      input.entry.autoscale.dns ? `${input.instanceName}.${input.entry.autoscale.dns.baseDomain}` : PYTHON_NONE,
  },
  {
    name: 'provider_name',
    source: 'the type of the provider config (aws, azure, …)',
    poolKinds: ['docker-agent', 'server'],
    secret: false,
    valueFor: (input) => input.config.providers[input.entry.autoscale.provider]?.type,
  },
  {
    name: 'manager_token',
    source: 'checkin.managerToken (the registration secret agents present to the control plane)',
    poolKinds: ['docker-agent'],
    secret: true,
    missingSource: (context) =>
      sectionOf(context.config, 'checkin').managerToken === undefined ? 'set checkin.managerToken' : undefined,
  },
  {
    name: 'connection_username',
    source: 'connection.username of the server config',
    poolKinds: ['server'],
    secret: false,
    missingSource: (context) =>
      typeof connectionOf(context).username === 'string' ? undefined : 'set connection.username',
    valueFor: (input) => (input.entry.kind === 'server' ? input.entry.autoscale.connection.username : undefined),
  },
  {
    name: 'connection_password',
    source: 'connection.password, or a new random password per server with connection.generatePassword: true',
    poolKinds: ['server'],
    secret: true,
    missingSource: (context) =>
      connectionOf(context).password !== undefined || connectionOf(context).generatePassword === true
        ? undefined
        : 'set connection.password or connection.generatePassword: true',
    // A password given as { env } or { file } is resolved and supplied by the service.
    valueFor: (input) => {
      if (input.connectionPassword !== undefined) return input.connectionPassword;
      const password = input.entry.kind === 'server' ? input.entry.autoscale.connection.password : undefined;
      return typeof password === 'string' ? password : undefined;
    },
  },
  {
    name: 'ssh_key',
    source: 'sshPublicKey of the autoscale config, else the public key of connection.privateKey',
    poolKinds: ['docker-agent', 'server'],
    secret: false,
    missingSource: (context) =>
      typeof context.autoscale.sshPublicKey === 'string' || connectionOf(context).privateKey !== undefined
        ? undefined
        : context.poolKind === 'server'
          ? 'set sshPublicKey or connection.privateKey'
          : 'set sshPublicKey',
    // A private key given as { env } or { file } is resolved (and its public key supplied) by the service.
    valueFor: (input) => {
      if (input.entry.autoscale.sshPublicKey) return input.entry.autoscale.sshPublicKey;
      const connection = input.entry.kind === 'server' ? input.entry.autoscale.connection : undefined;
      if (typeof connection?.privateKey !== 'string') return undefined;
      const passphrase = connection.privateKeyPassphrase;
      return sshPublicKeyOf({
        privateKeyPem: connection.privateKey,
        ...(typeof passphrase === 'string' ? { passphrase } : {}),
      });
    },
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
    source: 'checkin.upstreamAuthAddress, host[:port] without a scheme (supplied by the service)',
    poolKinds: ['docker-agent', 'server'],
    secret: false,
    missingSource: (context) =>
      typeof sectionOf(context.config, 'checkin').upstreamAuthAddress === 'string'
        ? undefined
        : 'set checkin.upstreamAuthAddress',
    invalidSource: (context) => {
      const value = sectionOf(context.config, 'checkin').upstreamAuthAddress as string;
      const problem = upstreamAuthAddressProblem(value);
      return problem ? `checkin.upstreamAuthAddress ${problem}` : undefined;
    },
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
