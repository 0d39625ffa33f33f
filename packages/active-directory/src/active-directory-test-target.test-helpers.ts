import { readFileSync } from 'node:fs';
import type { ActiveDirectorySettings } from './active-directory-settings.js';

/**
 * The loopback domain controller `scripts/ci/samba/start-samba.sh` starts, read from the
 * environment it prints, or undefined when it is not running (tests then skip, and fail under CI).
 */
export function activeDirectoryTestTarget():
  | (ActiveDirectorySettings & { baseDn: string; domain: string })
  | undefined {
  const environment = process.env;
  if (!environment.HEADROOM_AD_URL || !environment.HEADROOM_AD_BIND_DN || !environment.HEADROOM_AD_BIND_PASSWORD)
    return undefined;
  return {
    id: 'test-ad',
    url: environment.HEADROOM_AD_URL,
    bindDn: environment.HEADROOM_AD_BIND_DN,
    bindPassword: environment.HEADROOM_AD_BIND_PASSWORD,
    ...(environment.HEADROOM_AD_CA_FILE
      ? { caCertificate: readFileSync(environment.HEADROOM_AD_CA_FILE, 'utf8') }
      : {}),
    ...(environment.HEADROOM_AD_TLS_SERVER_NAME ? { tlsServerName: environment.HEADROOM_AD_TLS_SERVER_NAME } : {}),
    timeoutMs: 10_000,
    baseDn: environment.HEADROOM_AD_BASE_DN ?? '',
    domain: environment.HEADROOM_AD_DOMAIN ?? '',
  };
}

export const ACTIVE_DIRECTORY_MISSING_MESSAGE =
  'no Active Directory test target: run `export $(bash scripts/ci/samba/start-samba.sh)` (Samba AD DC on loopback)';
