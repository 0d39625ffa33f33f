import { randomBytes } from 'node:crypto';
import { computerNameFor, DirectoryError, generateJoinPassword } from '@headroom/core';
import { Attribute, Client, InvalidCredentialsError } from 'ldapts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createActiveDirectoryComputerRecords } from './active-directory-computer-records.js';
import {
  ACTIVE_DIRECTORY_MISSING_MESSAGE,
  activeDirectoryTestTarget,
} from './active-directory-test-target.test-helpers.js';

const target = activeDirectoryTestTarget();
if (!target && process.env.CI) {
  test('the Active Directory test target is running', () => {
    throw new Error(ACTIVE_DIRECTORY_MISSING_MESSAGE);
  });
}
if (!target) console.warn(`skipping Active Directory tests: ${ACTIVE_DIRECTORY_MISSING_MESSAGE}`);

describe.skipIf(!target)('Active Directory computer records (Samba AD DC on loopback)', () => {
  const settings = target!;
  const ouDn = `OU=headroom-test-${randomBytes(4).toString('hex')},${settings?.baseDn}`;
  const directory = target ? createActiveDirectoryComputerRecords(settings) : undefined!;

  async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({
      url: settings.url,
      tlsOptions: { ca: settings.caCertificate, servername: settings.tlsServerName },
    });
    await client.bind(settings.bindDn, settings.bindPassword);
    try {
      return await work(client);
    } finally {
      await client.unbind();
    }
  }

  beforeAll(async () => {
    await admin((client) =>
      client.add(ouDn, { objectClass: ['top', 'organizationalUnit'], ou: ouDn.slice(3, ouDn.indexOf(',')) }),
    );
  });
  afterAll(async () => {
    await admin(async (client) => {
      const { searchEntries } = await client.search(ouDn, { scope: 'one', attributes: ['dn'] });
      for (const entry of searchEntries) await client.del(entry.dn);
      await client.del(ouDn);
    });
  });

  const recordFor = (managedBy: string, instanceName: string, intentKey: string) => ({
    ouDn,
    computerName: computerNameFor({ pool: 'win', intentKey }),
    instanceName,
    intentKey,
    managedBy,
    joinPassword: generateJoinPassword(),
  });

  test('creates a computer object in the OU that binds with its one-time password, lists it, deletes it', async () => {
    const options = recordFor('scaler-a', 'win-rdp-00000001', 'hr-00000000000000000001');
    const record = await directory.createComputerRecord(options);
    expect(record).toMatchObject({
      dn: `CN=${options.computerName},${ouDn}`,
      computerName: options.computerName,
      instanceName: 'win-rdp-00000001',
      intentKey: 'hr-00000000000000000001',
    });
    // The account exists with exactly that password: binding as it succeeds, a wrong one fails.
    const machine = new Client({
      url: settings.url,
      tlsOptions: { ca: settings.caCertificate, servername: settings.tlsServerName },
    });
    await machine.bind(`${options.computerName}$@${settings.domain}`, options.joinPassword);
    await machine.unbind();
    const wrong = new Client({
      url: settings.url,
      tlsOptions: { ca: settings.caCertificate, servername: settings.tlsServerName },
    });
    await expect(
      wrong.bind(`${options.computerName}$@${settings.domain}`, `${options.joinPassword}x`),
    ).rejects.toBeInstanceOf(InvalidCredentialsError);
    await wrong.unbind();

    const attributes = await admin(
      async (client) => (await client.search(record.dn, { scope: 'base' })).searchEntries[0],
    );
    expect(attributes?.userAccountControl).toBe('4096');
    expect(attributes?.sAMAccountName).toBe(`${options.computerName}$`);

    expect((await directory.listComputerRecords({ ouDn, managedBy: 'scaler-a' })).map((entry) => entry.dn)).toEqual([
      record.dn,
    ]);
    expect(await directory.listComputerRecords({ ouDn, managedBy: 'scaler-b' })).toEqual([]);

    await directory.deleteComputerRecord({ dn: record.dn });
    await directory.deleteComputerRecord({ dn: record.dn }); // gone = success
    expect(await directory.listComputerRecords({ ouDn, managedBy: 'scaler-a' })).toEqual([]);
  });

  test('a retried create for the same intent resets the password; another intent with that name is name-taken', async () => {
    const first = recordFor('scaler-a', 'win-rdp-00000002', 'hr-00000000000000000002');
    await directory.createComputerRecord(first);
    const retried = { ...first, joinPassword: generateJoinPassword() };
    const record = await directory.createComputerRecord(retried);
    const machine = new Client({
      url: settings.url,
      tlsOptions: { ca: settings.caCertificate, servername: settings.tlsServerName },
    });
    await machine.bind(`${first.computerName}$@${settings.domain}`, retried.joinPassword);
    await machine.unbind();

    const error = await directory
      .createComputerRecord({ ...first, intentKey: 'hr-99999999999999999999' })
      .catch((caught) => caught);
    expect(DirectoryError.isInstance(error) && error.problem).toBe('name-taken');
    await directory.deleteComputerRecord({ dn: record.dn });
  });

  test('records Headroom did not create are never listed', async () => {
    await admin((client) =>
      client.add(`CN=MANUAL-PC,${ouDn}`, [
        new Attribute({ type: 'objectClass', values: ['top', 'person', 'organizationalPerson', 'user', 'computer'] }),
        new Attribute({ type: 'sAMAccountName', values: ['MANUAL-PC$'] }),
        new Attribute({ type: 'description', values: ['headroom-looking but hand-made'] }),
      ]),
    );
    expect(await directory.listComputerRecords({ ouDn, managedBy: 'scaler-a' })).toEqual([]);
  });

  test('errors are typed and never carry the password', async () => {
    const options = recordFor('scaler-a', 'win-rdp-00000003', 'hr-00000000000000000003');
    const missingOu = await directory
      .createComputerRecord({ ...options, ouDn: `OU=missing-${randomBytes(3).toString('hex')},${settings.baseDn}` })
      .catch((caught) => caught);
    expect(DirectoryError.isInstance(missingOu) && missingOu.problem).toBe('no-such-ou');
    expect(String(missingOu.message)).not.toContain(options.joinPassword);

    const badBind = createActiveDirectoryComputerRecords({ ...settings, bindPassword: 'wrong-password' });
    const refused = await badBind.listComputerRecords({ ouDn, managedBy: 'scaler-a' }).catch((caught) => caught);
    expect(DirectoryError.isInstance(refused) && refused.problem).toBe('authentication');
    expect(String(refused.message)).not.toContain('wrong-password');

    const untrusted = createActiveDirectoryComputerRecords({ ...settings, caCertificate: undefined });
    const tls = await untrusted.listComputerRecords({ ouDn, managedBy: 'scaler-a' }).catch((caught) => caught);
    expect(DirectoryError.isInstance(tls) && tls.problem).toBe('unavailable');
  });

  test('a plain ldap:// URL is refused before any connection', () => {
    expect(() => createActiveDirectoryComputerRecords({ ...settings, url: 'ldap://127.0.0.1:389' })).toThrow(
      /ldaps:\/\//,
    );
  });
});
