import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { listAutoscaleEntries } from '../config/config-views.js';
import { parseConfig } from '../config/parse-config.js';
import { ConfigError } from '../errors/config-error.js';
import { renderStartupScript, STARTUP_SCRIPT_PLACEHOLDERS } from '../provider/utils/render-startup-script.js';
import { serverIdFor } from './server-id.js';
import { STARTUP_SCRIPT_PLACEHOLDER_CATALOGUE } from './startup-script-placeholder-catalogue.js';
import { MASKED_VALUE, startupScriptTemplateOf, startupScriptValuesFor } from './startup-script-values.js';

const SEED_JOIN_SCRIPT = [
  "$joinCred = New-Object pscredential -ArgumentList ([pscustomobject]@{{ UserName = $null; Password = (ConvertTo-SecureString -String '{ad_join_credential}' -AsPlainText -Force)[0] }})",
  'Add-Computer -Domain "{domain}" -Options UnsecuredJoin,PasswordPass -Credential $joinCred -Force -Restart',
].join('\n');

function issuesOf(input: unknown, options: { suppliedPlaceholders?: string[] } = {}) {
  try {
    parseConfig(input, options);
  } catch (error) {
    if (ConfigError.isInstance(error)) return [...error.issues];
    throw error;
  }
  return [];
}

const windowsPool = (autoscale: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  providers: { cloud: { type: 'fake', maxInstances: 5, startupScript: SEED_JOIN_SCRIPT } },
  ldapConfigs: {
    corp: { url: 'ldaps://dc.corp.example', bindDn: 'CN=svc,DC=corp,DC=example', bindPassword: { env: 'X' } },
  },
  pools: [
    {
      id: 'win',
      kind: 'server',
      autoscale: [{ id: 'rdp', provider: 'cloud', minimumAvailableSessions: 1, ...autoscale }],
    },
  ],
  ...extra,
});

const activeDirectory = {
  createComputerRecord: true,
  ldapConfig: 'corp',
  computerOuDn: 'OU=Desktops,DC=corp,DC=example',
  domain: 'corp.example',
};

describe('startup-script placeholders', () => {
  test('every placeholder has exactly one catalogue entry (adding one is one entry)', () => {
    expect(new Set(STARTUP_SCRIPT_PLACEHOLDERS).size).toBe(STARTUP_SCRIPT_PLACEHOLDER_CATALOGUE.length);
    for (const definition of STARTUP_SCRIPT_PLACEHOLDER_CATALOGUE)
      expect(definition.poolKinds.length).toBeGreaterThan(0);
  });

  test('the seed join script validates on a server pool that creates computer records', () => {
    expect(issuesOf(windowsPool({ activeDirectory }))).toEqual([]);
  });

  test('{ad_join_credential} and {domain} without their sources are errors naming the field and the placeholder', () => {
    const issues = issuesOf(windowsPool({}));
    expect(issues).toEqual([
      {
        path: 'pools[0].autoscale[0]',
        message: expect.stringMatching(
          /^providers\.cloud\.startupScript uses \{ad_join_credential\}.*createComputerRecord: true/,
        ),
      },
      {
        path: 'pools[0].autoscale[0]',
        message: expect.stringMatching(/^providers\.cloud\.startupScript uses \{domain\}.*set activeDirectory\.domain/),
      },
    ]);
  });

  test('{domain} is not valid in docker-agent pools; {dns_base_domain} needs dns', () => {
    const issues = issuesOf({
      providers: { cloud: { type: 'fake', maxInstances: 5 } },
      pools: [
        {
          id: 'agents',
          kind: 'docker-agent',
          autoscale: [
            { id: 'a', provider: 'cloud', agent: { cores: 1 }, startupScript: 'join {domain} at {dns_base_domain}' },
          ],
        },
      ],
    });
    expect(issues.map((issue) => [issue.path, issue.message.split(',')[0]])).toEqual([
      ['pools[0].autoscale[0].startupScript', 'startupScript uses {domain}'],
      ['pools[0].autoscale[0].startupScript', 'startupScript uses {dns_base_domain}'],
    ]);
    expect(issues[0]!.message).toContain('no value in docker-agent pools');
  });

  test('{checkin_jwt} needs checkin.signingKey, unless the embedder supplies it', () => {
    const input = windowsPool({ startupScript: 'curl https://x/?token={checkin_jwt}' });
    expect(issuesOf(input)[0]!.message).toContain('set checkin.signingKey');
    expect(issuesOf(input, { suppliedPlaceholders: ['checkin_jwt'] })).toEqual([]);
    expect(issuesOf({ ...input, checkin: { signingKey: { env: 'KEY' } } })).toEqual([]);
  });

  test('values: {domain} is the AD domain, the DNS base domain has its own placeholder, secrets masked on request', () => {
    const config = parseConfig(
      windowsPool(
        {
          activeDirectory,
          dns: { provider: 'dns', baseDomain: 'vdi.example.com' },
          startupScript: `${SEED_JOIN_SCRIPT}\nRename-Computer {computer_name} # {server_external_fqdn} {dns_base_domain}`,
        },
        { dnsProviders: { dns: { type: 'fake' } } },
      ),
    );
    const entry = listAutoscaleEntries(config)[0]!;
    const template = startupScriptTemplateOf({ config, entry })!;
    const input = {
      config,
      entry,
      instanceName: 'win-rdp-12345678',
      serverId: serverIdFor({ intentKey: 'key-1' }),
      computerRecord: { computerName: 'WIN-ABCDEF12', joinPassword: 'One-Time-Pw1' },
    };
    const rendered = renderStartupScript({ template, values: startupScriptValuesFor({ template, input }) });
    expect(rendered).toContain("ConvertTo-SecureString -String 'One-Time-Pw1'");
    expect(rendered).toContain('Add-Computer -Domain "corp.example"');
    expect(rendered).toContain('@{ UserName = $null;');
    expect(rendered).toContain('Rename-Computer WIN-ABCDEF12 # win-rdp-12345678.vdi.example.com vdi.example.com');
    const masked = renderStartupScript({
      template,
      values: startupScriptValuesFor({ template, input, maskSecrets: true }),
    });
    expect(masked).toContain(`'${MASKED_VALUE}'`);
    expect(masked).not.toContain('One-Time-Pw1');
  });
});

describe('connection and directory validation', () => {
  const rsa = (bits: number) =>
    generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

  test('SSH keys follow the seed: RSA, PKCS#1 PEM, 2048 bits; SSH connections only', () => {
    const ssh = (connection: Record<string, unknown>) =>
      issuesOf(windowsPool({ activeDirectory, connection: { type: 'ssh', ...connection } }));
    expect(ssh({ privateKey: rsa(2048) })).toEqual([]);
    expect(ssh({ privateKey: rsa(1024) })).toEqual([
      { path: 'pools[0].autoscale[0].connection.privateKey', message: 'must be a 2048-bit RSA key, not 1024-bit' },
    ]);
    const pkcs8 = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(ssh({ privateKey: pkcs8 })[0]!.message).toContain('not PRIVATE KEY');
    const ed25519 = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(ssh({ privateKey: ed25519 })[0]!.path).toBe('pools[0].autoscale[0].connection.privateKey');
    const rdp = issuesOf(windowsPool({ activeDirectory, connection: { type: 'rdp', useUserSshKey: true } }));
    expect(rdp).toEqual([
      { path: 'pools[0].autoscale[0].connection.useUserSshKey', message: 'applies only to type ssh (type is rdp)' },
    ]);
  });

  test('computer records need an LDAPS config that exists and an OU', () => {
    const issues = issuesOf({
      ...windowsPool({ activeDirectory: { createComputerRecord: true, ldapConfig: 'other', domain: 'corp.example' } }),
      ldapConfigs: { corp: { url: 'ldap://dc.corp.example', bindDn: 'CN=svc', bindPassword: 'x' } },
    });
    expect(issues.map((issue) => issue.path).sort()).toEqual([
      'ldapConfigs.corp.url',
      'pools[0].autoscale[0].activeDirectory.computerOuDn',
      'pools[0].autoscale[0].activeDirectory.ldapConfig',
    ]);
  });
});

/** The placeholders of Kasm's published autoscale scripts, as each family uses them. */
const KASM_DOCKER_AGENT =
  "GIVEN_HOSTNAME='{server_hostname}'\nGIVEN_FQDN='{server_external_fqdn}'\nMANAGER_TOKEN='{manager_token}'\n" +
  "MANAGER_ADDRESS='{upstream_auth_address}'\nSERVER_ID='{server_id}'\nPROVIDER_NAME='{provider_name}'\n" +
  'ssh_authorized_keys: [{ssh_key}]\nif [ "$GIVEN_FQDN" == "None" ]; then {{ echo ip; }}; fi';
const KASM_LINUX_VM =
  'KASM_VNC_PASSWD={connection_password}\nKASM_VNC_USER={connection_username}\n' +
  'curl -k "https://{upstream_auth_address}/api/set_server_status?token={checkin_jwt}"';

describe("Kasm's script placeholders", () => {
  const sshKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKey = sshKey.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const checkin = { signingKey: { env: 'KEY' }, upstreamAuthAddress: 'kasm.example.com:8443', managerToken: 'm' };
  const agentPool = (autoscale: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    providers: { cloud: { type: 'fake', maxInstances: 5 } },
    pools: [
      {
        id: 'agents',
        kind: 'docker-agent',
        autoscale: [
          { id: 'a', provider: 'cloud', agent: { cores: 1 }, startupScript: KASM_DOCKER_AGENT, ...autoscale },
        ],
      },
    ],
    checkin,
    ...extra,
  });
  const linuxPool = (connection: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    providers: { cloud: { type: 'fake', maxInstances: 5, startupScript: KASM_LINUX_VM } },
    pools: [{ id: 'vms', kind: 'server', autoscale: [{ id: 'v', provider: 'cloud', connection }] }],
    checkin,
    ...extra,
  });
  const sshPublicKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJx admin@example';

  test('the docker-agent script validates with its sources and renders None without DNS, the type, a UUID', () => {
    expect(issuesOf(agentPool({ sshPublicKey }))).toEqual([]);
    const config = parseConfig(agentPool({ sshPublicKey }));
    const entry = listAutoscaleEntries(config)[0]!;
    const serverId = serverIdFor({ intentKey: 'hr-1' });
    const values = startupScriptValuesFor({
      template: KASM_DOCKER_AGENT,
      input: { config, entry, instanceName: 'agents-a-1', serverId },
      supplied: { manager_token: 'manager-secret', upstream_auth_address: 'kasm.example.com:8443' },
    });
    const rendered = renderStartupScript({ template: KASM_DOCKER_AGENT, values });
    expect(rendered).toContain("GIVEN_FQDN='None'");
    expect(rendered).toContain("PROVIDER_NAME='fake'");
    expect(rendered).toContain(`SERVER_ID='${serverId}'`);
    expect(rendered).toContain("MANAGER_TOKEN='manager-secret'");
    expect(rendered).toContain(`ssh_authorized_keys: [${sshPublicKey}]`);
    expect(rendered).toContain('if [ "$GIVEN_FQDN" == "None" ]; then { echo ip; }; fi');
  });

  test('docker-agent: no manager token, no SSH key, connection placeholders are errors naming the fix', () => {
    const { managerToken: _token, ...withoutToken } = checkin;
    const messages = issuesOf(
      agentPool({ startupScript: `${KASM_DOCKER_AGENT} {connection_username}` }, { checkin: withoutToken }),
    ).map((issue) => issue.message);
    expect(messages).toEqual([
      expect.stringMatching(/uses \{manager_token\}, which has no value source here: set checkin\.managerToken/),
      expect.stringMatching(/uses \{ssh_key\}, which has no value source here: set sshPublicKey /),
      expect.stringMatching(/uses \{connection_username\}, which has no value in docker-agent pools/),
    ]);
  });

  test('an upstream address with a scheme is refused with the fix', () => {
    const messages = issuesOf(
      agentPool({ sshPublicKey }, { checkin: { ...checkin, upstreamAuthAddress: 'https://kasm.example.com' } }),
    ).map((issue) => issue.message);
    expect(messages).toEqual([
      'startupScript uses {upstream_auth_address}: checkin.upstreamAuthAddress must be host[:port] without a scheme: the scripts add https:// themselves (write "kasm.example.com", not "https://kasm.example.com")',
    ]);
  });

  test('the Linux VM script: connection fields as sources, a generated password, the SSH key of the connection', () => {
    expect(issuesOf(linuxPool({ type: 'kasmvnc' })).map((issue) => issue.message.split(',')[0])).toEqual([
      'providers.cloud.startupScript uses {connection_password}',
      'providers.cloud.startupScript uses {connection_username}',
    ]);
    expect(issuesOf(linuxPool({ type: 'kasmvnc', username: 'kasm', password: 'pw', generatePassword: true }))).toEqual([
      {
        path: 'pools[0].autoscale[0].connection.generatePassword',
        message: 'cannot be combined with password (remove one)',
      },
    ]);
    const config = parseConfig(linuxPool({ type: 'ssh', username: 'kasm', generatePassword: true, privateKey }));
    const entry = listAutoscaleEntries(config)[0]!;
    const input = { config, entry, instanceName: 'vms-v-1', serverId: 'id', connectionPassword: 'Generated-1' };
    const template = 'user={connection_username} pw={connection_password} key={ssh_key}';
    const rendered = renderStartupScript({ template, values: startupScriptValuesFor({ template, input }) });
    expect(rendered).toMatch(/^user=kasm pw=Generated-1 key=ssh-rsa [A-Za-z0-9+/]+=*$/);
    // The modulus of the public key is inside the SSH wire format of the rendered key.
    const wire = Buffer.from(rendered.split('key=ssh-rsa ')[1]!, 'base64');
    const modulus = sshKey.publicKey.export({ format: 'jwk' }).n!;
    expect(wire.includes(Buffer.from(modulus, 'base64url'))).toBe(true);
  });

  test('server ids are UUIDs, the same for the same intent, different across intents', () => {
    const first = serverIdFor({ intentKey: 'hr-a' });
    expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(serverIdFor({ intentKey: 'hr-a' })).toBe(first);
    expect(serverIdFor({ intentKey: 'hr-b' })).not.toBe(first);
  });
});
