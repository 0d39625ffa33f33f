import { type AutoscaleEntry, sshPublicKeyOf } from '@headroom/core';
import { resolveSecret, type SecretInput } from '@headroom/core/provider';

/**
 * `{connection_password}` and `{ssh_key}` of a server config whose password or private key is
 * given as `{ env }` or `{ file }` (core fills in inline values): the password resolved, the public
 * key of the resolved private key. `{ file }` paths are relative to `baseDirectory`.
 * @throws InvalidProviderConfigError naming the field when a secret cannot be resolved.
 */
export async function connectionPlaceholderValues(options: {
  entry: AutoscaleEntry;
  baseDirectory: string;
}): Promise<{ connection_password?: string; ssh_key?: string }> {
  if (options.entry.kind !== 'server') return {};
  const { autoscale } = options.entry;
  const { password, privateKey, privateKeyPassphrase } = autoscale.connection;
  const resolve = (value: SecretInput, field: string) =>
    resolveSecret({
      value,
      providerId: 'headroom',
      field: `connection.${field}`,
      baseDirectory: options.baseDirectory,
    });
  const values: { connection_password?: string; ssh_key?: string } = {};
  if (password !== undefined && typeof password !== 'string')
    values.connection_password = await resolve(password, 'password');
  if (!autoscale.sshPublicKey && privateKey !== undefined && typeof privateKey !== 'string') {
    const passphrase =
      privateKeyPassphrase === undefined ? undefined : await resolve(privateKeyPassphrase, 'privateKeyPassphrase');
    values.ssh_key = sshPublicKeyOf({
      privateKeyPem: await resolve(privateKey, 'privateKey'),
      ...(passphrase ? { passphrase } : {}),
    });
  }
  return values;
}
