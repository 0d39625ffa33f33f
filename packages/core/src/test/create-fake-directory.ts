import type { Clock } from '../clock/clock.js';
import type { ComputerRecord, ComputerRecordDirectory } from '../directory/computer-record-directory.js';
import { DirectoryError } from '../errors/directory-error.js';

/** A stored computer object of the fake directory. */
export interface FakeComputerObject extends ComputerRecord {
  managedBy: string;
  /** The password the object was created (or last reset) with. */
  joinPassword: string;
}

/** An in-memory directory with the semantics of `ComputerRecordDirectory`, for tests. */
export interface FakeDirectory extends ComputerRecordDirectory {
  /** Objects by DN. */
  readonly objects: Map<string, FakeComputerObject>;
  /** OUs that exist (creating in another is `no-such-ou`). */
  readonly ous: Set<string>;
  /** When set, the next calls throw it. */
  failWith: DirectoryError | undefined;
  calls: { create: number; delete: number; list: number };
}

export function createFakeDirectory(options: { clock: Clock; ous: string[]; id?: string }): FakeDirectory {
  const id = options.id ?? 'fake-ldap';
  const directory: FakeDirectory = {
    objects: new Map(),
    ous: new Set(options.ous.map((ou) => ou.toLowerCase())),
    failWith: undefined,
    calls: { create: 0, delete: 0, list: 0 },
    async createComputerRecord(create) {
      directory.calls.create += 1;
      if (directory.failWith) throw directory.failWith;
      if (!directory.ous.has(create.ouDn.toLowerCase()))
        throw new DirectoryError({ directory: id, problem: 'no-such-ou', message: `no OU ${create.ouDn}` });
      const dn = `CN=${create.computerName},${create.ouDn}`;
      const existing = directory.objects.get(dn);
      if (existing && existing.intentKey !== create.intentKey)
        throw new DirectoryError({ directory: id, problem: 'name-taken', message: `${dn} exists` });
      const object: FakeComputerObject = {
        dn,
        computerName: create.computerName,
        instanceName: create.instanceName,
        intentKey: create.intentKey,
        createdAt: existing?.createdAt ?? new Date(options.clock.now()).toISOString(),
        managedBy: create.managedBy,
        joinPassword: create.joinPassword,
      };
      directory.objects.set(dn, object);
      const { managedBy: _managedBy, joinPassword: _joinPassword, ...record } = object;
      return record;
    },
    async deleteComputerRecord({ dn }) {
      directory.calls.delete += 1;
      if (directory.failWith) throw directory.failWith;
      directory.objects.delete(dn);
    },
    async listComputerRecords({ ouDn, managedBy }) {
      directory.calls.list += 1;
      if (directory.failWith) throw directory.failWith;
      const suffix = `,${ouDn}`.toLowerCase();
      return [...directory.objects.values()]
        .filter((object) => object.managedBy === managedBy && object.dn.toLowerCase().endsWith(suffix))
        .map(({ managedBy: _managedBy, joinPassword: _joinPassword, ...record }) => record);
    },
  };
  return directory;
}
