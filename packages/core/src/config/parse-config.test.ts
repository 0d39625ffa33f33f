import { describe, expect, test } from 'vitest';
import { ConfigError } from '../errors/config-error.js';
import { configJsonSchema, parseConfig } from './parse-config.js';

const issuesOf = (input: unknown): Array<{ path: string; message: string }> => {
  try {
    parseConfig(input);
  } catch (error) {
    if (ConfigError.isInstance(error)) return [...error.issues];
    throw error;
  }
  throw new Error('expected a ConfigError');
};

const minimal = {
  providers: { cloud: { type: 'aws', maxInstances: 5, region: 'us-east-1' } },
  pools: [
    {
      id: 'agents',
      kind: 'docker-agent',
      autoscale: [{ id: 'main', provider: 'cloud', agent: { cores: 4, memoryMb: 8192 } }],
    },
  ],
};

describe('parseConfig', () => {
  test('applies defaults and keeps provider-specific fields for the adapter', () => {
    const config = parseConfig(minimal);
    const pool = config.pools[0]!;
    expect(pool.kind).toBe('docker-agent');
    const autoscale = pool.autoscale[0]!;
    expect(autoscale).toMatchObject({
      enabled: true,
      aggressiveScaling: false,
      downscaleBackoffSeconds: 600,
      requireCheckin: false,
      schedules: [],
    });
    if (pool.kind === 'docker-agent')
      expect(pool.autoscale[0]!.standby).toEqual({ cores: 0, memoryMb: 0, gpus: 0, slots: [] });
    expect(config.providers.cloud).toMatchObject({ type: 'aws', maxInstances: 5, region: 'us-east-1' });
  });

  test('reports every problem at once, each with its path', () => {
    const issues = issuesOf({
      providers: { cloud: { type: 'EC2', maxInstances: -1 } },
      dnsProviders: {},
      pools: [
        {
          id: 'agents',
          kind: 'docker-agent',
          autoscale: [
            {
              id: 'a',
              provider: 'cloud',
              agent: { cores: 4 },
              standby: { cores: -1 },
              dns: { provider: 'r53', baseDomain: 'x.example.com' },
            },
            { id: 'a', provider: 'missing', agent: { cores: 4 }, minimumAvailableSessions: 3 },
          ],
        },
        { id: 'agents', kind: 'vm', autoscale: [] },
      ],
      staging: [{ id: 's', pool: 'nope', autoscale: 'a', workspace: 'w', desiredSessions: 1, session: { cores: 1 } }],
    });
    const paths = issues.map((issue) => `${issue.path}: ${issue.message}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^providers\.cloud\.type: must be a provider type such as aws/),
        'providers.cloud.maxInstances: must be ≥ 0',
        'pools[0].autoscale[0].standby.cores: must be ≥ 0',
        'pools[0].autoscale[1].minimumAvailableSessions: unknown field',
        expect.stringMatching(/^pools\[1\]\.kind: /),
        expect.stringMatching(/^pools\[0\]\.autoscale\[0\]\.dns\.provider: unknown DNS provider "r53"/),
        'pools[0].autoscale[1].id: duplicate autoscale id "a" in pool',
        expect.stringMatching(
          /^pools\[0\]\.autoscale\[1\]\.provider: unknown provider "missing" \(configured: cloud\)/,
        ),
        'pools[1].id: duplicate pool id "agents"',
        'staging[0].pool: unknown pool "nope"',
      ]),
    );
  });

  test('server-only fields are refused on docker-agent pools and the reverse', () => {
    const issues = issuesOf({
      providers: { lab: { type: 'vsphere', maxInstances: 2 } },
      pools: [{ id: 'rdp', kind: 'server', autoscale: [{ id: 'r', provider: 'lab', standby: { cores: 1 } }] }],
    });
    expect(issues).toContainEqual({ path: 'pools[0].autoscale[0].standby', message: 'unknown field' });
  });

  test('predictiveStandby.learnFrom takes "trace" or "history", anything else is refused by path', () => {
    const withLearnFrom = (learnFrom: string) => ({
      ...minimal,
      pools: [
        {
          ...minimal.pools[0]!,
          autoscale: [{ ...minimal.pools[0]!.autoscale[0]!, predictiveStandby: { quantile: 0.9, learnFrom } }],
        },
      ],
    });
    const [issue, ...more] = issuesOf(withLearnFrom('yesterday'));
    expect(more).toEqual([]);
    expect(issue).toEqual({
      path: 'pools[0].autoscale[0].predictiveStandby.learnFrom',
      message: 'must be "trace" or "history"',
    });
    expect(parseConfig(withLearnFrom('trace')).pools[0]!.autoscale[0]).toMatchObject({
      predictiveStandby: { learnFrom: 'trace', historyDays: 28 },
    });
    expect(parseConfig(withLearnFrom('history')).pools[0]!.autoscale[0]).toMatchObject({
      predictiveStandby: { learnFrom: 'history' },
    });
  });

  test('staging must point at a docker-agent pool and one of its autoscale configs', () => {
    const issues = issuesOf({
      providers: { lab: { type: 'vsphere', maxInstances: 2 } },
      pools: [{ id: 'rdp', kind: 'server', autoscale: [{ id: 'r', provider: 'lab' }] }],
      staging: [{ id: 's', pool: 'rdp', autoscale: 'x', workspace: 'w', desiredSessions: 1, session: { cores: 1 } }],
    });
    expect(issues.map((issue) => issue.path)).toEqual(['staging[0].pool', 'staging[0].autoscale']);
  });

  test('staging zones, permission flags and deployment zones are checked by path', () => {
    const issues = issuesOf({
      ...minimal,
      staging: [
        {
          id: 's',
          pool: 'agents',
          autoscale: 'main',
          workspace: 'w',
          zone: 'west',
          desiredSessions: 20000,
          expirationHours: 9000,
          allowAudio: 'yes',
          session: { cores: 1 },
        },
      ],
      zones: [{ id: 'east', searchAlternateZones: true, alternateZones: ['east', 'south'] }, { id: 'east' }],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'staging[0].zone', message: 'is "west" but autoscale config "main" deploys to zone "default"' },
        { path: 'staging[0].desiredSessions', message: 'must be ≤ 10000' },
        { path: 'staging[0].expirationHours', message: 'must be ≤ 8760 (one year)' },
        expect.objectContaining({ path: 'staging[0].allowAudio' }),
        { path: 'zones[1].id', message: 'duplicate zone id "east"' },
        { path: 'zones[0].alternateZones[0]', message: 'is the zone itself' },
        { path: 'zones[0].alternateZones[1]', message: 'unknown zone "south"' },
      ]),
    );
    const config = parseConfig({
      ...minimal,
      staging: [
        { id: 's', pool: 'agents', autoscale: 'main', workspace: 'w', desiredSessions: 2, session: { cores: 1 } },
      ],
    });
    expect(config.staging[0]).toMatchObject({ allowAudio: false, allowGamepad: false, requestTimeoutSeconds: 300 });
    expect(config.pools[0]).toMatchObject({ placement: 'spread' });
  });

  test('schedules: days, times and zones are checked; day names are normalised', () => {
    const withSchedule = (schedule: Record<string, unknown>) => ({
      ...minimal,
      pools: [{ ...minimal.pools[0]!, autoscale: [{ ...minimal.pools[0]!.autoscale[0]!, schedules: [schedule] }] }],
    });
    const config = parseConfig(
      withSchedule({ days: ['Monday', 'FRI'], start: '07:00', end: '24:00', timezone: 'Europe/Berlin' }),
    );
    expect(config.pools[0]!.autoscale[0]!.schedules[0]!.days).toEqual(['mon', 'fri']);
    const issues = issuesOf(
      withSchedule({ days: ['funday'], start: '24:00', end: '7:00', timezone: 'Europe/Atlantis' }),
    );
    const base = 'pools[0].autoscale[0].schedules[0]';
    expect(issues.map((issue) => issue.path).sort()).toEqual(
      [`${base}.days[0]`, `${base}.end`, `${base}.timezone`].sort(),
    );
    expect(
      issuesOf(withSchedule({ days: [], start: '24:00', end: '10:00', timezone: 'UTC' })).map((issue) => issue.path),
    ).toEqual([`${base}.days`, `${base}.start`]);
  });

  test('secrets may be inline, { env } or { file }, nothing else', () => {
    const withKey = (nginxKey: unknown) => ({
      ...minimal,
      pools: [{ ...minimal.pools[0]!, autoscale: [{ ...minimal.pools[0]!.autoscale[0]!, nginxKey }] }],
    });
    expect(() => parseConfig(withKey('-----BEGIN KEY-----'))).not.toThrow();
    expect(() => parseConfig(withKey({ env: 'NGINX_KEY' }))).not.toThrow();
    expect(() => parseConfig(withKey({ file: '/etc/headroom/nginx.key' }))).not.toThrow();
    const issues = issuesOf(withKey({ vault: 'x' }));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('pools[0].autoscale[0].nginxKey');
    expect(JSON.stringify(issues)).not.toContain('BEGIN KEY');
  });

  test('startup scripts: unknown placeholders and stray braces are refused with their position', () => {
    const withScript = (startupScript: string) => ({
      ...minimal,
      providers: { cloud: { ...minimal.providers.cloud, startupScript: 'echo {server_id} {{literal}}' } },
      pools: [{ ...minimal.pools[0]!, autoscale: [{ ...minimal.pools[0]!.autoscale[0]!, startupScript }] }],
    });
    const checkinScript = withScript('curl "https://{upstream_auth_address}/x?token={checkin_jwt}"');
    expect(() =>
      parseConfig({
        ...checkinScript,
        checkin: { signingKey: { env: 'KEY' }, upstreamAuthAddress: 'kasm.example.com' },
      }),
    ).not.toThrow();
    expect(issuesOf(withScript('echo ok\necho {serverid}'))).toEqual([
      {
        path: 'pools[0].autoscale[0].startupScript',
        message: 'unknown placeholder {serverid} at line 2, column 6; write {{ and }} for literal braces',
      },
    ]);
    expect(issuesOf(withScript('echo done }'))[0]!.message).toMatch(/^unmatched brace at line 1, column 11/);
  });

  test('the JSON Schema describes the config', () => {
    const schema = configJsonSchema();
    expect(schema.type).toBe('object');
    const properties = schema.properties as Record<string, unknown>;
    expect(Object.keys(properties)).toEqual(expect.arrayContaining(['providers', 'dnsProviders', 'pools', 'staging']));
    expect(JSON.stringify(schema)).toContain('downscaleBackoffSeconds');
  });
});
