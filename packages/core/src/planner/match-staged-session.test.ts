import { describe, expect, test } from 'vitest';
import { STAGING_PERMISSIONS, type StagingPermission, type ZoneConfig } from '../config/config-schema.js';
import { matchStagedSession, type SessionRequest, type StagedSessionOffer } from './match-staged-session.js';

const none = Object.fromEntries(STAGING_PERMISSIONS.map((flag) => [flag, false])) as Record<StagingPermission, boolean>;
const offer = (id: string, overrides: Partial<StagedSessionOffer> = {}): StagedSessionOffer => ({
  sessionId: id,
  instanceId: `agent-${id}`,
  workspace: 'chrome',
  zone: 'east',
  createdAt: '2026-11-23T10:00:00Z',
  permissions: { ...none, allowAudio: true },
  ...overrides,
});
const request = (overrides: Partial<SessionRequest> = {}): SessionRequest => ({
  user: 'ann',
  workspace: 'chrome',
  zone: 'east',
  permissions: { allowAudio: true },
  ...overrides,
});
const zones: ZoneConfig[] = [
  { id: 'east', searchAlternateZones: true },
  { id: 'west', searchAlternateZones: false },
  { id: 'north', searchAlternateZones: true, alternateZones: ['west'] },
];

// Each row quotes the sentence of the seed it checks.
const table: {
  seed: string;
  request: SessionRequest;
  staged: StagedSessionOffer[];
  zonesWithCapacity?: string[];
  expected: { kind: 'staged'; session: string; alternateZone: boolean } | { kind: 'on-demand'; zones: string[] };
  flags?: string[];
}[] = [
  {
    seed: 'it pulls from a pool of staged containers that are already running',
    request: request(),
    staged: [offer('s1')],
    expected: { kind: 'staged', session: 's1', alternateZone: false },
  },
  {
    seed: 'user’s who’s group permissions do not match these will not be assigned a staged session (Allow Audio)',
    request: request({ permissions: {} }),
    staged: [offer('s1')],
    expected: { kind: 'on-demand', zones: ['east', 'west', 'north'] },
  },
  ...(
    [
      'allowClipboardDown',
      'allowClipboardUp',
      'allowDownloads',
      'allowMicrophone',
      'allowUploads',
      'allowGamepad',
    ] as const
  ).map((flag) => ({
    seed: `permissions must match: ${flag} granted to the user but not to the staged session`,
    request: request({ permissions: { allowAudio: true, [flag]: true } }),
    staged: [offer('s1')],
    expected: { kind: 'on-demand' as const, zones: ['east', 'west', 'north'] },
  })),
  {
    seed: 'a staged session of another Workspace is never handed out',
    request: request({ workspace: 'vscode' }),
    staged: [offer('s1')],
    expected: { kind: 'on-demand', zones: ['east', 'west', 'north'] },
  },
  {
    seed: 'Attempt to assign a staged session in the current Zone.',
    request: request(),
    staged: [offer('w1', { zone: 'west' }), offer('e1')],
    expected: { kind: 'staged', session: 'e1', alternateZone: false },
  },
  {
    seed: 'Attempt to assign a staged session in other Zones if Search Alternate Zones is configured on the current Zone.',
    request: request(),
    staged: [offer('w1', { zone: 'west' })],
    expected: { kind: 'staged', session: 'w1', alternateZone: true },
  },
  {
    seed: '(no Search Alternate Zones on west) → Attempt to create a new on-demand session in the existing Zone.',
    request: request({ zone: 'west' }),
    staged: [offer('e1')],
    expected: { kind: 'on-demand', zones: ['west'] },
  },
  {
    seed: 'Attempt to create a new on-demand session in other Zones if Search Alternate Zones is configured',
    request: request({ zone: 'east', workspace: 'vscode' }),
    staged: [],
    zonesWithCapacity: ['north'],
    expected: { kind: 'on-demand', zones: ['north'] },
  },
  {
    seed: 'alternate zones follow the zone’s configured order (north searches west only)',
    request: request({ zone: 'north' }),
    staged: [offer('e1'), offer('w1', { zone: 'west' })],
    expected: { kind: 'staged', session: 'w1', alternateZone: true },
  },
  {
    seed: 'Staged sessions that have not been assigned … expire: the oldest is handed out first',
    request: request(),
    staged: [offer('new', { createdAt: '2026-11-23T11:00:00Z' }), offer('old', { createdAt: '2026-11-23T09:00:00Z' })],
    expected: { kind: 'staged', session: 'old', alternateZone: false },
  },
  {
    seed: '(Workspace) - Persistent Profile',
    request: request({ workspaceSettings: { persistentProfile: true } }),
    staged: [offer('s1')],
    expected: { kind: 'on-demand', zones: ['east', 'west', 'north'] },
    flags: ['persistent_profile'],
  },
  {
    seed: '(Workspace) - Volume Mappings* That use {username} or {user_id} tokens',
    request: request({ workspaceSettings: { volumeMappings: { '/home/{username}': { bind: '/data' } } } }),
    staged: [offer('s1')],
    expected: { kind: 'on-demand', zones: ['east', 'west', 'north'] },
    flags: ['volume_mappings'],
  },
  {
    seed: 'volume mappings without user tokens stay compatible',
    request: request({ workspaceSettings: { volumeMappings: { '/srv/shared': { bind: '/shared' } } } }),
    staged: [offer('s1')],
    expected: { kind: 'staged', session: 's1', alternateZone: false },
  },
  ...(
    ['expose_user_environment_vars', 'inject_ssh_keys', 'run_config', 'volume_mapping', 'web_filter_policy'] as const
  ).map((flag) => ({
    seed: `(Group) - ${flag}`,
    request: request({
      groupSettings: {
        [flag]: flag === 'inject_ssh_keys' || flag === 'expose_user_environment_vars' ? true : { x: 1 },
      },
    }),
    staged: [offer('s1')],
    expected: { kind: 'on-demand' as const, zones: ['east', 'west', 'north'] },
    flags: [flag],
  })),
  {
    seed: 'group settings that are off or empty are compatible',
    request: request({ groupSettings: { inject_ssh_keys: false, run_config: {}, web_filter_policy: '' } }),
    staged: [offer('s1')],
    expected: { kind: 'staged', session: 's1', alternateZone: false },
  },
];

describe('matchStagedSession (seed: session staging)', () => {
  test.each(table)('$seed', ({ request: input, staged, zonesWithCapacity, expected, flags }) => {
    const result = matchStagedSession(input, staged, { zones, ...(zonesWithCapacity ? { zonesWithCapacity } : {}) });
    if (expected.kind === 'staged') {
      expect(result).toMatchObject({ kind: 'staged', alternateZone: expected.alternateZone });
      expect(result.kind === 'staged' && result.session.sessionId).toBe(expected.session);
    } else {
      expect(result).toMatchObject({ kind: 'on-demand', zones: expected.zones });
    }
    expect(result.warnings.map((warning) => warning.flag)).toEqual(flags ?? []);
    for (const warning of result.warnings) {
      expect(warning).toMatchObject({ user: input.user, workspace: input.workspace });
      expect(warning.message).toContain(`user ${input.user}, workspace ${input.workspace}`);
    }
  });

  test('reasons name the mismatched flags and the zone the on-demand session goes to', () => {
    const result = matchStagedSession(request({ permissions: { allowMicrophone: true } }), [offer('s1')], { zones });
    expect(result.reason).toBe(
      'staged chrome sessions in zone(s) east, west, north differ in allowAudio, allowMicrophone; on demand in zone east',
    );
    const full = matchStagedSession(request({ workspace: 'x' }), [], { zones, zonesWithCapacity: [] });
    expect(full).toMatchObject({ kind: 'on-demand', zones: [] });
    expect(full.reason).toBe(
      'no staged x session in zone(s) east, west, north; queued: no zone of east, west, north has capacity',
    );
  });
});
