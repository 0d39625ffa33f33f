import { createPrivateKey } from 'node:crypto';

/** Size of the RSA keys the connection proxy accepts (seed: "ssh-rsa key in PKCS1 format ... key size of 2048"). */
export const SSH_KEY_SIZE_BITS = 2048;

/**
 * Why a connection private key breaks the seed's SSH key rules (an RSA key, PEM in PKCS#1 form,
 * `-----BEGIN RSA PRIVATE KEY-----`, 2048 bits), or undefined when it follows them. Never quotes
 * the key.
 */
export function sshPrivateKeyProblem(options: { pem: string; passphrase?: string }): string | undefined {
  const pem = options.pem.trim();
  if (!pem.startsWith('-----BEGIN RSA PRIVATE KEY-----')) {
    const header = /^-----BEGIN ([A-Z0-9 ]+)-----/.exec(pem)?.[1];
    return header
      ? `must be an RSA key in PKCS#1 PEM form (-----BEGIN RSA PRIVATE KEY-----), not ${header}`
      : 'must be an RSA key in PKCS#1 PEM form (-----BEGIN RSA PRIVATE KEY-----)';
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey({
      key: pem,
      format: 'pem',
      ...(options.passphrase ? { passphrase: options.passphrase } : {}),
    });
  } catch {
    return /ENCRYPTED/.test(pem) && !options.passphrase
      ? 'is encrypted; set privateKeyPassphrase'
      : 'cannot be read as an RSA private key (damaged PEM or wrong privateKeyPassphrase)';
  }
  if (key.asymmetricKeyType !== 'rsa') return `must be an RSA key, not ${key.asymmetricKeyType}`;
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits !== SSH_KEY_SIZE_BITS) return `must be a ${SSH_KEY_SIZE_BITS}-bit RSA key, not ${bits}-bit`;
  return undefined;
}
