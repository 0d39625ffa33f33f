/** A computer object Headroom created in a directory, as listed back. */
export interface ComputerRecord {
  /** Distinguished name, e.g. `CN=WIN-1A2B3C4D,OU=Desktops,DC=corp,DC=example`. */
  dn: string;
  /** NetBIOS computer name (the `sAMAccountName` without its trailing `$`). */
  computerName: string;
  /** Headroom instance id the record was created for. */
  instanceName: string;
  /** Create intent the record belongs to. */
  intentKey: string;
  /** ISO instant the directory created the object (`whenCreated`). */
  createdAt: string;
}

/** Options of `createComputerRecord`. */
export interface CreateComputerRecordOptions {
  /** DN of the OU the object goes into. */
  ouDn: string;
  /** NetBIOS computer name: 1–15 of `A-Z 0-9 -`. */
  computerName: string;
  /** Fully qualified host name (`dNSHostName`), when known. */
  dnsHostName?: string;
  instanceName: string;
  intentKey: string;
  /** Installation id (`scaler.managedBy`); records are marked with it so only ours are listed. */
  managedBy: string;
  /** The one-time join password; set over LDAPS, never logged or returned. */
  joinPassword: string;
  abortSignal?: AbortSignal;
}

/**
 * Where the reconciler creates the Active Directory computer records of new servers. An
 * implementation marks each record with `managedBy`, `instanceName` and `intentKey` and lists only
 * records so marked. Calls throw `DirectoryError`.
 */
export interface ComputerRecordDirectory {
  /**
   * Creates the computer object with `joinPassword` as its password. A record of that name already
   * created for the same intent is reset to the new password (a retried create); one created for
   * anything else is `name-taken`.
   */
  createComputerRecord(options: CreateComputerRecordOptions): Promise<ComputerRecord>;
  /** Deletes the object; an object already gone is success. */
  deleteComputerRecord(options: { dn: string; abortSignal?: AbortSignal }): Promise<void>;
  /** Records in `ouDn` (one level) marked with `managedBy`. */
  listComputerRecords(options: {
    ouDn: string;
    managedBy: string;
    abortSignal?: AbortSignal;
  }): Promise<ComputerRecord[]>;
}
