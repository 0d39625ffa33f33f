import { parseImageReference, type WorkspaceConfig } from '@headroom/core';
import { resolveSecret } from '@headroom/core/provider';
import { createRegistryClient, type RegistryClient } from '@headroom/registry';

/** Registry credentials as the config states them (a workspace `registry` or the `imageMirror`). */
export interface RegistryCredentials {
  username?: string | undefined;
  password?: Parameters<typeof resolveSecret>[0]['value'] | undefined;
  insecureHttp?: boolean;
}

/** A registry client with the config's credentials (the password resolved from its secret form). */
export async function registryClientFor(options: {
  registry: string;
  credentials: RegistryCredentials | undefined;
  configDirectory: string;
  /** Config path of the credentials, for secret errors (`workspaces[0].registry`). */
  field: string;
}): Promise<RegistryClient> {
  const { credentials } = options;
  const password =
    credentials?.password === undefined
      ? undefined
      : await resolveSecret({
          value: credentials.password,
          providerId: 'headroom',
          field: `${options.field}.password`,
          baseDirectory: options.configDirectory,
        });
  return createRegistryClient({
    registry: options.registry,
    insecureHttp: credentials?.insecureHttp ?? false,
    ...(credentials?.username !== undefined && password !== undefined
      ? { credentials: { username: credentials.username, password } }
      : {}),
  });
}

/**
 * The digest a workspace's image reference (its tag, or the digest it names) points at now in its
 * registry.
 * @throws RegistryError when the registry refuses or cannot be reached
 */
export async function resolveWorkspaceDigest(options: {
  workspace: WorkspaceConfig;
  /** Index of the workspace in `workspaces`, for error paths. */
  index: number;
  configDirectory: string;
  abortSignal?: AbortSignal;
}): Promise<string> {
  const { workspace } = options;
  const reference = parseImageReference(workspace.image);
  const client = await registryClientFor({
    registry: reference.registry,
    credentials: workspace.registry,
    configDirectory: options.configDirectory,
    field: `workspaces[${options.index}].registry`,
  });
  return client.resolveDigest({
    repository: reference.repository,
    reference: reference.digest ?? reference.tag ?? 'latest',
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
  });
}
