import {
  type ComputerRecord,
  type ComputerRecordDirectory,
  type CreateComputerRecordOptions,
  DirectoryError,
} from '@headroom/core';
import { AlreadyExistsError, Attribute, Change, Client, NoSuchObjectError } from 'ldapts';
import type { ActiveDirectorySettings } from './active-directory-settings.js';
import {
  formatComputerRecordMarker,
  markedComputersFilter,
  parseComputerRecordMarker,
} from './computer-record-marker.js';
import { mapLdapError } from './map-ldap-error.js';

/** `userAccountControl` of a workstation trust account (what "pre-stage a computer" creates). */
const WORKSTATION_TRUST_ACCOUNT = 4096;

/** `unicodePwd` as AD wants it: the password in double quotes, UTF-16LE. */
function encodeUnicodePassword(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

/** `20261202022433.0Z` → ISO instant. */
function generalizedTimeToIso(value: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(value);
  if (!match) return new Date(0).toISOString();
  const [, year, month, day, hour, minute, second] = match;
  return `${year}-${month}-${day}T${hour}:${minute}:${second}.000Z`;
}

function firstString(value: unknown): string {
  if (Array.isArray(value)) return firstString(value[0]);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return typeof value === 'string' ? value : '';
}

/**
 * Active Directory computer records over LDAPS with `ldapts`. Each call opens a connection, binds,
 * does its work and unbinds, so a dropped connection never leaves state behind. Errors are
 * `DirectoryError`s; the join password is sent only inside the add/modify request.
 */
export function createActiveDirectoryComputerRecords(settings: ActiveDirectorySettings): ComputerRecordDirectory {
  if (!/^ldaps:\/\//i.test(settings.url)) {
    throw new DirectoryError({
      directory: settings.id,
      problem: 'rejected',
      message: 'url must start with ldaps:// (AD sets computer passwords only over LDAPS)',
    });
  }

  async function withClient<T>(action: string, work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({
      url: settings.url,
      timeout: settings.timeoutMs,
      connectTimeout: settings.timeoutMs,
      tlsOptions: {
        ...(settings.caCertificate ? { ca: settings.caCertificate } : {}),
        ...(settings.tlsServerName ? { servername: settings.tlsServerName } : {}),
        minVersion: 'TLSv1.2',
      },
    });
    try {
      await client.bind(settings.bindDn, settings.bindPassword);
      return await work(client);
    } catch (error) {
      throw mapLdapError({ directory: settings.id, action, error });
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  async function readRecord(client: Client, dn: string): Promise<ComputerRecord | undefined> {
    const { searchEntries } = await client.search(dn, {
      scope: 'base',
      filter: '(objectClass=computer)',
      attributes: ['sAMAccountName', 'description', 'whenCreated'],
    });
    const entry = searchEntries[0];
    return entry ? toRecord(entry) : undefined;
  }

  function toRecord(entry: Record<string, unknown> & { dn: string }): ComputerRecord | undefined {
    const marker = parseComputerRecordMarker(firstString(entry.description));
    if (!marker) return undefined;
    return {
      dn: entry.dn,
      computerName: firstString(entry.sAMAccountName).replace(/\$$/, ''),
      instanceName: marker.instanceName,
      intentKey: marker.intentKey,
      createdAt: generalizedTimeToIso(firstString(entry.whenCreated)),
    };
  }

  return {
    async createComputerRecord(options: CreateComputerRecordOptions) {
      const dn = `CN=${options.computerName},${options.ouDn}`;
      const description = formatComputerRecordMarker(options);
      return withClient(`create computer ${options.computerName} in ${options.ouDn}`, async (client) => {
        try {
          await client.add(dn, [
            new Attribute({
              type: 'objectClass',
              values: ['top', 'person', 'organizationalPerson', 'user', 'computer'],
            }),
            new Attribute({ type: 'cn', values: [options.computerName] }),
            new Attribute({ type: 'sAMAccountName', values: [`${options.computerName}$`] }),
            new Attribute({ type: 'userAccountControl', values: [String(WORKSTATION_TRUST_ACCOUNT)] }),
            new Attribute({ type: 'description', values: [description] }),
            ...(options.dnsHostName ? [new Attribute({ type: 'dNSHostName', values: [options.dnsHostName] })] : []),
            new Attribute({ type: 'unicodePwd', values: [encodeUnicodePassword(options.joinPassword)] }),
          ]);
        } catch (error) {
          if (!(error instanceof AlreadyExistsError)) throw error;
          const existing = await readRecord(client, dn);
          if (existing?.intentKey !== options.intentKey) {
            throw new DirectoryError({
              directory: settings.id,
              problem: 'name-taken',
              message: `create computer ${options.computerName} in ${options.ouDn}: an object of that name exists and was not created for this intent`,
              cause: error,
            });
          }
          await client.modify(
            dn,
            new Change({
              operation: 'replace',
              modification: new Attribute({
                type: 'unicodePwd',
                values: [encodeUnicodePassword(options.joinPassword)],
              }),
            }),
          );
        }
        const record = await readRecord(client, dn);
        if (!record) {
          throw new DirectoryError({
            directory: settings.id,
            problem: 'rejected',
            message: `create computer ${options.computerName}: the object cannot be read back`,
          });
        }
        return record;
      });
    },

    async deleteComputerRecord(options) {
      await withClient(`delete ${options.dn}`, async (client) => {
        try {
          await client.del(options.dn);
        } catch (error) {
          if (!(error instanceof NoSuchObjectError)) throw error;
        }
      });
    },

    async listComputerRecords(options) {
      return withClient(`list computers in ${options.ouDn}`, async (client) => {
        const records: ComputerRecord[] = [];
        for await (const page of client.searchPaginated(options.ouDn, {
          scope: 'one',
          filter: markedComputersFilter(options.managedBy),
          attributes: ['sAMAccountName', 'description', 'whenCreated'],
          paged: { pageSize: 500 },
        })) {
          for (const entry of page.searchEntries) {
            const record = toRecord(entry);
            if (record) records.push(record);
          }
        }
        return records;
      });
    },
  };
}
