import { createPrivateKey, createPublicKey } from 'node:crypto';

/** An SSH public key as `authorized_keys` holds it: `ssh-rsa AAAA… [comment]`. */
export const SSH_PUBLIC_KEY_PATTERN =
  /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)) [A-Za-z0-9+/]+=*( \S.*)?$/;

function sshString(data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  return Buffer.concat([length, data]);
}

/** An unsigned big-endian integer as an SSH `mpint` (a leading zero byte when the top bit is set). */
function sshInteger(base64url: string): Buffer {
  const bytes = Buffer.from(base64url, 'base64url');
  return sshString(bytes[0]! & 0x80 ? Buffer.concat([Buffer.alloc(1), bytes]) : bytes);
}

/**
 * The `ssh-rsa AAAA…` public key of an RSA private key (PEM, as connection private keys are), for
 * `authorized_keys` and the `{ssh_key}` placeholder.
 * @throws Error when the key cannot be read or is not RSA (the message never quotes the key).
 */
export function sshPublicKeyOf(options: { privateKeyPem: string; passphrase?: string }): string {
  let jwk: { kty?: string; n?: string; e?: string };
  try {
    const privateKey = createPrivateKey({
      key: options.privateKeyPem,
      format: 'pem',
      ...(options.passphrase ? { passphrase: options.passphrase } : {}),
    });
    jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  } catch {
    throw new Error('the connection private key cannot be read');
  }
  if (jwk.kty !== 'RSA' || !jwk.n || !jwk.e) throw new Error('the connection private key is not an RSA key');
  const type = Buffer.from('ssh-rsa');
  return `ssh-rsa ${Buffer.concat([sshString(type), sshInteger(jwk.e), sshInteger(jwk.n)]).toString('base64')}`;
}
