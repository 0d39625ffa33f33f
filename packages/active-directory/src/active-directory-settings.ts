/** How to reach one directory (an `ldapConfigs` entry with its secrets resolved). */
export interface ActiveDirectorySettings {
  /** Id of the LDAP config, used in error messages. */
  id: string;
  /** `ldaps://host[:port]`: AD lets computer passwords be set only over a secured connection. */
  url: string;
  bindDn: string;
  bindPassword: string;
  /** PEM of the CA (or self-signed certificate) to trust; the system store when absent. */
  caCertificate?: string;
  /** Host name the server certificate must carry, when it differs from the URL's host. */
  tlsServerName?: string;
  /** Bound on connecting and on each operation. */
  timeoutMs: number;
}
