import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { COMMANDS, commandHelp } from '../src/cli.js';
import { runCli } from './run-cli.js';

const temporary = mkdtempSync(join(tmpdir(), 'headroom-cli-'));
const file = (name: string, text: string) => {
  const path = join(temporary, name);
  writeFileSync(path, text);
  return path;
};
const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

const fakeConfig = file(
  'fake.yaml',
  `providers:
  cloud: { type: fake, maxInstances: 3 }
pools:
  - id: agents
    kind: docker-agent
    autoscale:
      - id: day
        provider: cloud
        standby: { cores: 8, memoryMb: 8192 }
        agent: { cores: 4, memoryMb: 8192 }
        schedules:
          - { days: [mon, tue, wed, thu, fri], start: "08:00", end: "18:00", timezone: Europe/Berlin }
  - id: rdp
    kind: server
    autoscale:
      - { id: rdp, provider: cloud, minimumAvailableSessions: 3, maxSessionsPerServer: 4, maxUsersPerServer: 2 }
`,
);

describe('headroom validate', () => {
  test('a valid config: exit 0 and a one-line summary', () => {
    const result = runCli(['validate', '--config', fakeConfig]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `ok: ${fakeConfig}: 2 pools, 2 autoscale configs, 1 provider, 0 DNS providers, 0 staging configs\n`,
    );
  });

  test('an invalid config: exit 2 with every problem by path, no stack trace', () => {
    const bad = file(
      'bad.yaml',
      'providers:\n  cloud: { type: fake, maxInstances: -2 }\npools:\n  - { id: a, kind: docker-agent, autoscale: [{ id: x, provider: other, agent: { cores: 1 }, standby: { gpus: 0.5 } }] }\n',
    );
    const result = runCli(['validate', '--config', bad]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('(3 problems)');
    expect(result.stderr).toContain('providers.cloud.maxInstances: must be ≥ 0');
    expect(result.stderr).toContain('pools[0].autoscale[0].standby.gpus: must be a whole number');
    expect(result.stderr).toContain('pools[0].autoscale[0].provider: unknown provider "other" (configured: cloud)');
    noStackTrace(result.stderr);
  });

  test('provider fields are checked by each adapter, by path', () => {
    const adapters = file(
      'adapters.yaml',
      `providers:
  aws-east: { type: aws, maxInstances: 2, region: us-east-1, instanceType: m6i.large, amiId: ami-0123456789abcdef0, ebsVolumeSizeGb: -5, subnet: x }
  lab: { type: vsphere, maxInstances: 1, vcenterAddress: vc.example.com, username: u, password: { env: VSPHERE_PASSWORD }, templateName: t, datacenter: DC0, cpus: 2, memoryMb: 4096, osFamily: beos }
`,
    );
    const result = runCli(['validate', '--config', adapters]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('providers.aws-east.ebsVolumeSizeGb: must be ≥ 1');
    expect(result.stderr).toContain('providers.aws-east.subnet: unknown field');
    expect(result.stderr).toMatch(/providers\.lab\.osFamily: .*"linux"\|"windows"/);
    expect(result.stderr).toContain('(3 problems)');
  });

  test('core and adapter problems are listed together in one pass', () => {
    const mixed = file(
      'mixed.yaml',
      `providers:
  aws-east: { type: aws, maxInstances: -2, region: us-east-1, instanceType: m6i.large, amiId: ami-0123456789abcdef0, ebsVolumeSizeGb: -5 }
pools:
  - { id: a, kind: docker-agent, autoscale: [{ id: x, provider: aws-east, agent: { cores: 1 }, standby: { cores: -1 } }] }
`,
    );
    const result = runCli(['validate', '--config', mixed]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('(3 problems)');
    expect(result.stderr.match(/providers\.aws-east\.maxInstances/g)).toHaveLength(1);
    expect(result.stderr).toContain('pools[0].autoscale[0].standby.cores: must be ≥ 0');
    expect(result.stderr).toContain('providers.aws-east.ebsVolumeSizeGb: must be ≥ 1');
    noStackTrace(result.stderr);
  });

  test('a type no installed adapter serves names the package to install', () => {
    const missing = file('missing-adapter.yaml', 'providers:\n  far: { type: nimbus, maxInstances: 1 }\n');
    const result = runCli(['validate', '--config', missing]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'providers.far.type: no adapter installed for type "nimbus": install @headroom/provider-nimbus',
    );
    noStackTrace(result.stderr);
  });

  test('the example config in the repository is valid', () => {
    const result = runCli(['validate', '--config', 'examples/headroom.yaml']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  test('an empty file (or only comments) is not a config: exit 2', () => {
    for (const text of ['', '\n  \n', '# nothing yet\n']) {
      const result = runCli(['validate', '--config', file('empty.yaml', text)]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/empty\.yaml/);
      expect(result.stderr).toMatch(/the file is empty/);
      noStackTrace(result.stderr);
    }
  });

  test('invalid YAML names the line and column', () => {
    const result = runCli(['validate', '--config', file('broken.yaml', 'pools:\n  - id: [unclosed\n')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/broken\.yaml:\d+:\d+: /);
    noStackTrace(result.stderr);
  });

  test('missing file, missing flag and unknown flag exit 2 naming the argument', () => {
    const missing = runCli(['validate', '--config', join(temporary, 'nope.yaml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--config');
    expect(missing.stderr).toContain('no such file');
    const noFlag = runCli(['validate']);
    expect(noFlag.code).toBe(2);
    expect(noFlag.stderr).toContain('missing required --config');
    const unknown = runCli(['validate', '--config', fakeConfig, '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("'--frobnicate'");
    const command = runCli(['frobnicate']);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('unknown command "frobnicate"');
  });
});

describe('headroom schedule', () => {
  test('JSON shape: active now, next transition, transitions until --until', () => {
    const result = runCli([
      'schedule',
      '--config',
      fakeConfig,
      '--at',
      '2026-11-23T06:00:00Z',
      '--until',
      '2026-11-24T12:00:00Z',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.at).toBe('2026-11-23T06:00:00.000Z');
    expect(output.configs).toEqual([
      {
        pool: 'agents',
        autoscale: 'day',
        enabled: true,
        active: false,
        nextTransition: '2026-11-23T07:00:00.000Z',
        transitions: [
          { at: '2026-11-23T07:00:00.000Z', active: true },
          { at: '2026-11-23T17:00:00.000Z', active: false },
          { at: '2026-11-24T07:00:00.000Z', active: true },
        ],
      },
      { pool: 'rdp', autoscale: 'rdp', enabled: true, active: true, nextTransition: null, transitions: [] },
    ]);
  });

  test('--at without a zone is refused', () => {
    const result = runCli(['schedule', '--config', fakeConfig, '--at', '2026-11-23T06:00:00']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--at 2026-11-23T06:00:00: give an ISO-8601 instant with a zone');
  });
});

describe('headroom plan', () => {
  const snapshot = file(
    'snapshot.json',
    JSON.stringify({
      at: '2026-11-23T09:00:00Z',
      instances: [
        {
          id: 'a1',
          pool: 'agents',
          autoscale: 'day',
          provider: 'cloud',
          state: 'running',
          checkedIn: true,
          createdAt: '2026-11-23T07:00:00Z',
          capacity: { cores: 4, memoryMb: 8192, gpus: 0 },
          sessions: [{ id: 's1', user: 'ann', cores: 2, memoryMb: 2048, gpus: 0 }],
        },
        {
          id: 'r1',
          pool: 'rdp',
          autoscale: 'rdp',
          provider: 'cloud',
          state: 'running',
          checkedIn: true,
          createdAt: '2026-11-23T07:00:00Z',
          capacity: { cores: 2, memoryMb: 4096, gpus: 0 },
          sessions: [{ id: 's2', user: 'bob', cores: 0, memoryMb: 0, gpus: 0 }],
        },
      ],
      queued: [],
    }),
  );

  test('JSON shape with numbers and reasons; maxInstances shared by both pools', () => {
    const result = runCli(['plan', '--config', fakeConfig, '--snapshot', snapshot, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.at).toBe('2026-11-23T09:00:00.000Z');
    const [agents, rdp] = output.configs;
    expect(Object.keys(agents)).toEqual([
      'pool',
      'autoscale',
      'active',
      'need',
      'available',
      'pending',
      'deficit',
      'create',
      'destroy',
      'actions',
      'reasons',
      'warnings',
    ]);
    expect(agents.actions).toEqual([
      {
        type: 'create',
        count: 1,
        shape: { cores: 4, memoryMb: 8192, gpus: 0 },
        reason: expect.stringMatching(/^scale up by 1: cores deficit 6 \/ agent 4 → 2/),
      },
    ]);
    expect(agents).toMatchObject({
      pool: 'agents',
      active: true,
      need: { cores: 8, memoryMb: 8192, gpus: 0 },
      available: { cores: 2, memoryMb: 6144, gpus: 0 },
      pending: { cores: 0, memoryMb: 0, gpus: 0 },
      deficit: { cores: 6, memoryMb: 2048, gpus: 0 },
      create: 1,
      destroy: [],
    });
    expect(agents.reasons.join('\n')).toMatch(/capped to 1 by provider cloud maxInstances 3/);
    expect(rdp).toMatchObject({
      need: { sessions: 3 },
      available: { sessions: 1 },
      deficit: { sessions: 2 },
      create: 0,
    });
    expect(output.nextState.autoscale).toHaveProperty(['agents/day']);
  });

  test('a JSON snapshot is read as JSON: a syntax error says "invalid JSON" with the file', () => {
    const broken = file('broken-snapshot.json', '{"at": "2026-11-23T09:00:00Z", "instances": [,]}');
    const result = runCli(['plan', '--config', fakeConfig, '--snapshot', broken]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid JSON\n.*broken-snapshot\.json: /);
    noStackTrace(result.stderr);
  });

  test('amounts that would sum to an infinite need are refused by path, in the snapshot and in the config', () => {
    const aggressive = file(
      'aggressive.yaml',
      `providers:
  cloud: { type: fake, maxInstances: 3 }
pools:
  - id: agents
    kind: docker-agent
    autoscale:
      - { id: main, provider: cloud, agent: { cores: 4, memoryMb: 8192 }, aggressiveScaling: true }
`,
    );
    const request = { pool: 'agents', cores: 1.7e308, memoryMb: 1, gpus: 0, since: '2026-11-23T08:00:00Z' };
    const huge = file(
      'huge-snapshot.json',
      JSON.stringify({ at: '2026-11-23T09:00:00Z', instances: [], queued: [request, request] }),
    );
    const result = runCli(['plan', '--config', aggressive, '--snapshot', huge, '--json']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('queued[0].cores: must be ≤ 100000');
    noStackTrace(result.stderr);
    const hugeStandby = file(
      'huge-standby.yaml',
      'providers:\n  cloud: { type: fake, maxInstances: 3 }\npools:\n  - { id: a, kind: docker-agent, autoscale: [{ id: x, provider: cloud, agent: { cores: 4 }, standby: { cores: 1e308 } }] }\n',
    );
    const refused = runCli(['validate', '--config', hugeStandby]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('pools[0].autoscale[0].standby.cores: must be ≤ 100000');
  });

  test('human output is a table with reasons', () => {
    const result = runCli(['plan', '--config', fakeConfig, '--snapshot', snapshot]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/pool\s+autoscale\s+active\s+need/);
    expect(result.stdout).toContain('agents/day:');
  });

  test('an invalid snapshot exits 2 naming the field', () => {
    const bad = file(
      'bad-snapshot.json',
      JSON.stringify({ at: 'yesterday', instances: [{ id: 'x', state: 'flying' }] }),
    );
    const result = runCli(['plan', '--config', fakeConfig, '--snapshot', bad]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('at: must be an ISO-8601 instant');
    expect(result.stderr).toMatch(/instances\[0\]\.state: must be one of requested/);
    noStackTrace(result.stderr);
  });

  test('a state file carries the downscale backoff between runs', () => {
    const idle = file(
      'idle.json',
      JSON.stringify({
        at: '2026-11-23T09:00:00Z',
        instances: [1, 2, 3].map((n) => ({
          id: `a${n}`,
          pool: 'agents',
          autoscale: 'day',
          provider: 'cloud',
          state: 'running',
          checkedIn: true,
          createdAt: `2026-11-23T0${n}:00:00Z`,
          capacity: { cores: 4, memoryMb: 8192, gpus: 0 },
          sessions: [],
        })),
      }),
    );
    const first = JSON.parse(runCli(['plan', '--config', fakeConfig, '--snapshot', idle, '--json']).stdout);
    expect(first.configs[0].destroy).toEqual([]);
    const state = file('state.json', JSON.stringify(first.nextState));
    const later = JSON.parse(
      runCli([
        'plan',
        '--config',
        fakeConfig,
        '--snapshot',
        idle,
        '--state',
        state,
        '--at',
        '2026-11-23T09:10:00Z',
        '--json',
      ]).stdout,
    );
    expect(later.configs[0].destroy).toEqual(['a1']);
    // The destroy carries its cause and reason, in `actions` and in `reasons`, with the numbers.
    const reason =
      /^scale down a1: idle \(4 cores, 8192 MiB, 0 GPUs\) and not needed: need 8 cores.*surplus lasted 600 s ≥ backoff 600 s$/;
    expect(later.configs[0].actions).toEqual([
      { type: 'destroy', instanceId: 'a1', cause: 'scale-down', reason: expect.stringMatching(reason) },
    ]);
    expect(later.configs[0].reasons).toContainEqual(expect.stringMatching(reason));
    const table = runCli([
      'plan',
      '--config',
      fakeConfig,
      '--snapshot',
      idle,
      '--state',
      state,
      '--at',
      '2026-11-23T09:10:00Z',
    ]);
    expect(table.stdout).toMatch(/a1 \(scale-down\)/);
    expect(table.stdout).toMatch(/ {2}- scale down a1: idle/);
  });
});

describe('headroom schema', () => {
  const result = runCli(['schema']);
  const schema = JSON.parse(result.stdout);
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
  const examples = ['examples/headroom.yaml', 'examples/local.yaml', 'examples/demo.yaml'];

  test('prints a JSON Schema with every installed adapter and every service section', () => {
    expect(result.code).toBe(0);
    expect(schema.title).toBe('Headroom configuration');
    const types = schema.properties.providers.additionalProperties.oneOf.map(
      (branch: { properties: { type: { const: string } } }) => branch.properties.type.const,
    );
    expect(types).toEqual(expect.arrayContaining(['fake', 'aws', 'vsphere']));
    for (const section of ['scaler', 'state', 'api', 'inventory', 'checkin', 'simulation']) {
      expect(schema.properties[section].type ?? schema.properties[section].anyOf).toBeDefined();
    }
  });

  test.each(examples)('an off-the-shelf validator accepts %s', (path) => {
    const valid = validate(parseYaml(readFileSync(path, 'utf8')));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('and refuses adapter fields that are wrong, by path', () => {
    const document = parseYaml(readFileSync('examples/headroom.yaml', 'utf8'));
    const [id] =
      Object.entries(document.providers).find(([, entry]) => (entry as { type: string }).type === 'aws') ?? [];
    document.providers[id as string].ebsVolumeSizeGb = 'big';
    document.providers[id as string].subnet = 'not-a-field';
    expect(validate(document)).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain(`/providers/${id}`);
  });
});

describe('headroom help, version and environment', () => {
  test('every command documents each flag of its usage line, and --help prints them', () => {
    for (const command of COMMANDS) {
      const used = [...command.usage.matchAll(/--([a-z][a-z0-9-]*)/g)].map((match) => match[1]!);
      for (const flag of used) expect(command.flags, `${command.name} --${flag}`).toHaveProperty([flag]);
      const help = commandHelp(command);
      for (const [name, flag] of Object.entries(command.flags)) {
        expect(help).toMatch(
          new RegExp(`\\n  --${name}\\b.*  ${flag.description.slice(0, 20).replace(/[()$.*+?[\]]/g, '\\$&')}`),
        );
      }
    }
    const run = runCli(['run', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--config FILE\s+the YAML config \(default: \$HEADROOM_CONFIG\)/);
  });

  test('--version is the version of package.json', () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(runCli(['--version']).stdout.trim()).toBe(version);
  });

  test('run reads HEADROOM_CONFIG and HEADROOM_LISTEN when the flags are absent', () => {
    const empty = runCli(['run'], { env: { HEADROOM_CONFIG: file('env-empty.yaml', '') } });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/env-empty\.yaml.*\n.*the file is empty/);
    const listen = runCli(['run', '--config', fakeConfig, '--state-dir', join(temporary, 'state-env')], {
      env: { HEADROOM_LISTEN: 'nowhere' },
    });
    expect(listen.code).toBe(2);
    expect(listen.stderr).toMatch(/--listen nowhere: must be "host:port"/);
    noStackTrace(listen.stderr);
  });

  test('an unreachable PostgreSQL is a clear error, exit 1, no stack trace and no password', () => {
    const config = file(
      'postgres-down.yaml',
      `providers:
  cloud: { type: fake, maxInstances: 1 }
pools:
  - id: agents
    kind: docker-agent
    autoscale:
      - { id: main, provider: cloud, agent: { cores: 4, memoryMb: 8192 } }
state:
  postgres: { url: "postgres://headroom:pg-password-42@127.0.0.1:1/headroom" }
api: { listen: "127.0.0.1:0" }
`,
    );
    const result = runCli(['run', '--config', config, '--state-dir', join(temporary, 'state-pg')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot open the state store \(PostgreSQL at 127\.0\.0\.1:1\): .*ECONNREFUSED/);
    expect(result.stderr + result.stdout).not.toMatch(/pg-password-42/);
    noStackTrace(result.stderr);
  });
});
