import { listAutoscaleEntries, type ServerAutoscaleConfig } from '@headroom/core';
import { resolveSecret, type SecretInput } from '@headroom/core/provider';
import { z } from 'zod';
import { HttpError, type Route } from '../http-api.js';
import type { ServiceContext } from '../service-context.js';

/** The answer of `GET /api/v1/instances/{id}`. */
export const instanceResponseSchema = z.object({
  instance: z.record(z.string(), z.unknown()),
  connection: z
    .object({
      type: z.string(),
      port: z.number().optional(),
      credentialType: z.string(),
      ssoDomain: z.string().optional(),
      username: z.string().optional(),
      password: z.string().optional(),
      useUserSshKey: z.boolean(),
      generatePassword: z.boolean().optional(),
      privateKey: z.string().optional(),
      privateKeyPassphrase: z.string().optional(),
      info: z.record(z.string(), z.unknown()).optional(),
      computerName: z.string().optional(),
      domain: z.string().optional(),
      /** The agent (Kasm Windows Service) is installed: its workflows (dynamic user accounts) are available. */
      agentInstalled: z.boolean(),
      /** False: the server takes no new session once one ended, and is destroyed when empty. */
      reusable: z.boolean(),
      /** True when secrets exist but the caller is not authenticated. */
      secretsWithheld: z.boolean(),
    })
    .optional(),
});

const SECRET_FIELDS = ['password', 'privateKey', 'privateKeyPassphrase'] as const;

/** The connection details of a server of `autoscale`; secrets resolved only when `authenticated`. */
export async function connectionOf(options: {
  autoscale: ServerAutoscaleConfig;
  computerName: string | undefined;
  /** The instance's own password (generated, or read with `retrieveConnectionSecret`) when the config has none. */
  connectionSecret: string | undefined;
  authenticated: boolean;
  /** Folder relative `{ file }` paths resolve against (the config file's). */
  baseDirectory: string;
}): Promise<z.output<typeof instanceResponseSchema>['connection']> {
  const { password, privateKey, privateKeyPassphrase, ...plain } = options.autoscale.connection;
  const secrets: Record<(typeof SECRET_FIELDS)[number], SecretInput | undefined> = {
    password,
    privateKey,
    privateKeyPassphrase,
  };
  const present = SECRET_FIELDS.filter((field) => secrets[field] !== undefined);
  const resolved: Partial<Record<(typeof SECRET_FIELDS)[number], string>> = {};
  // A blank password is the instance's own: generated (`generatePassword`) or read from the provider (AWS Windows).
  const fetchedPassword = password === undefined ? options.connectionSecret : undefined;
  if (fetchedPassword !== undefined) {
    present.push('password');
    if (options.authenticated) resolved.password = fetchedPassword;
  }
  if (options.authenticated) {
    for (const field of present) {
      if (field === 'password' && fetchedPassword !== undefined) continue;
      resolved[field] = await resolveSecret({
        value: secrets[field]!,
        providerId: 'headroom',
        field: `connection.${field}`,
        baseDirectory: options.baseDirectory,
      });
    }
  }
  const domain = options.autoscale.activeDirectory?.domain;
  return {
    ...plain,
    agentInstalled: options.autoscale.agentInstalled,
    reusable: options.autoscale.reusable,
    ...resolved,
    ...(options.computerName ? { computerName: options.computerName } : {}),
    ...(domain ? { domain } : {}),
    secretsWithheld: !options.authenticated && present.length > 0,
  };
}

/**
 * `GET /api/v1/instances/{id}` (Headroom id or provider instance id): the ledger record and, for a
 * server, its connection details (type, port, credential type, SSO domain, username, SSH key use,
 * connection info, AD computer name and domain). Password, private key and passphrase are
 * resolved and included only for a caller with the API token; never logged.
 */
export function instanceRoute(context: ServiceContext): Route {
  return {
    method: 'GET',
    path: '/api/v1/instances/:id',
    access: 'read',
    handle: async (request) => {
      const id = request.params.id ?? '';
      const instance = (await context.store.listInstances()).find(
        (candidate) => candidate.id === id || candidate.providerInstanceId === id,
      );
      if (!instance) throw new HttpError({ status: 404, message: `the ledger does not hold instance ${id}` });
      const entry = listAutoscaleEntries(context.config().config).find(
        (candidate) => candidate.pool.id === instance.pool && candidate.autoscale.id === instance.autoscale,
      );
      const connection =
        entry?.kind === 'server'
          ? await connectionOf({
              autoscale: entry.autoscale,
              computerName: instance.computerRecord?.computerName,
              connectionSecret: instance.connectionSecret,
              authenticated: request.hasApiToken,
              baseDirectory: context.configDirectory,
            })
          : undefined;
      const { connectionSecret: _secret, ...record } = instance;
      return { status: 200, body: { instance: record, ...(connection ? { connection } : {}) } };
    },
  };
}
