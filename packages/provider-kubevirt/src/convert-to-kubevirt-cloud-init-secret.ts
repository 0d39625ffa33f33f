/**
 * The cloud-init user data of a VM: the startup script, and the SSH public key as a
 * `#cloud-config` part. With both, a MIME multipart document (cloud-init and cloudbase-init both
 * read it); with one, that one alone.
 */
export function buildCloudInitUserData(options: {
  startupScript?: string | undefined;
  sshPublicKey?: string | undefined;
}): string {
  const { startupScript, sshPublicKey } = options;
  const cloudConfig =
    sshPublicKey === undefined
      ? undefined
      : `#cloud-config\nssh_authorized_keys:\n  - ${JSON.stringify(sshPublicKey)}\n`;
  if (cloudConfig === undefined) return startupScript ?? '';
  if (startupScript === undefined || startupScript === '') return cloudConfig;
  const boundary = 'headroom-boundary-7d1c0f';
  const scriptType = startupScript.startsWith('#cloud-config') ? 'text/cloud-config' : 'text/x-shellscript';
  return [
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    'MIME-Version: 1.0',
    '',
    `--${boundary}`,
    'Content-Type: text/cloud-config; charset="utf-8"',
    '',
    cloudConfig,
    `--${boundary}`,
    `Content-Type: ${scriptType}; charset="utf-8"`,
    '',
    startupScript,
    `--${boundary}--`,
    '',
  ].join('\n');
}

/** The Secret a VM's config drive is built from (`cloudInitConfigDrive.secretRef`, key `userdata`). */
export function convertToKubevirtCloudInitSecret(options: {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  userData: string;
}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      labels: options.labels,
      annotations: options.annotations,
    },
    type: 'Opaque',
    data: { userdata: Buffer.from(options.userData, 'utf8').toString('base64') },
  };
}
