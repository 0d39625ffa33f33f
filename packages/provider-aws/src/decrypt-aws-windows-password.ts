import { constants, createPrivateKey, privateDecrypt } from 'node:crypto';
import { InvalidProviderConfigError, ProviderApiError } from '@headroom/core/provider';
import { AWS_PROVIDER_ID } from './aws-setting.js';

/**
 * Decrypts EC2 `GetPasswordData` output: base64 of the Windows administrator password encrypted
 * with the key pair's RSA public key, PKCS#1 v1.5 padding.
 *
 * Node 20 refuses `RSA_PKCS1_PADDING` for private decryption (CVE-2023-46809), so this runs the raw
 * RSA operation and removes the padding itself. Errors never contain the key or the password.
 */
export function decryptAwsWindowsPassword(options: { passwordData: string; privateKeyPem: string }): string {
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(options.privateKeyPem);
  } catch (error) {
    throw new InvalidProviderConfigError({
      providerId: AWS_PROVIDER_ID,
      field: 'keyPairPrivateKey',
      message: 'is not a PEM private key',
      cause: error instanceof Error ? new Error(error.message) : undefined,
    });
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new InvalidProviderConfigError({
      providerId: AWS_PROVIDER_ID,
      field: 'keyPairPrivateKey',
      message: `must be an RSA key (EC2 cannot encrypt Windows passwords for ${key.asymmetricKeyType} key pairs)`,
    });
  }
  const encrypted = Buffer.from(options.passwordData.replace(/\s+/g, ''), 'base64');
  let block: Buffer;
  try {
    block = privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, encrypted);
  } catch (error) {
    throw new ProviderApiError({
      providerId: AWS_PROVIDER_ID,
      message: 'cannot decrypt the Windows password: the data does not match the key pair (wrong keyPairPrivateKey?)',
      isRetryable: false,
      cause: error instanceof Error ? new Error(error.message) : undefined,
    });
  }
  return removePkcs1Type2Padding(block).toString('utf8');
}

/** Removes EME-PKCS1-v1_5 padding: 0x00 0x02 PS (≥ 8 non-zero bytes) 0x00 M. */
function removePkcs1Type2Padding(block: Buffer): Buffer {
  const separatorIndex = block.indexOf(0, 2);
  if (block[0] !== 0 || block[1] !== 2 || separatorIndex < 10) {
    throw new ProviderApiError({
      providerId: AWS_PROVIDER_ID,
      message: 'cannot decrypt the Windows password: bad padding (wrong keyPairPrivateKey?)',
      isRetryable: false,
    });
  }
  return block.subarray(separatorIndex + 1);
}
