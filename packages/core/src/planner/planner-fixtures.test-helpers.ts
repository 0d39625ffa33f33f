import type { HeadroomConfig, HeadroomConfigInput } from '../config/config-schema.js';
import { parseConfig } from '../config/parse-config.js';
import type { Instance, Session } from '../model/instance.js';

export const T0 = Date.parse('2026-11-23T12:00:00Z');

/** A config with one docker-agent pool `agents` / autoscale `main` on provider `cloud` (max 20). */
export function agentConfig(
  autoscale: Record<string, unknown> = {},
  extra: Partial<HeadroomConfigInput> = {},
): HeadroomConfig {
  return parseConfig({
    providers: { cloud: { type: 'fake', maxInstances: 20 } },
    pools: [
      {
        id: 'agents',
        kind: 'docker-agent',
        autoscale: [
          {
            id: 'main',
            provider: 'cloud',
            standby: { cores: 8, memoryMb: 16384, gpus: 0 },
            agent: { cores: 4, memoryMb: 8192, gpus: 0 },
            downscaleBackoffSeconds: 600,
            ...autoscale,
          },
        ],
      },
    ],
    ...extra,
  });
}

export function serverConfig(autoscale: Record<string, unknown> = {}): HeadroomConfig {
  return parseConfig({
    providers: { lab: { type: 'fake', maxInstances: 10 } },
    pools: [
      {
        id: 'rdp',
        kind: 'server',
        autoscale: [
          {
            id: 'main',
            provider: 'lab',
            minimumAvailableSessions: 4,
            maxSessionsPerServer: 10,
            maxUsersPerServer: 2,
            downscaleBackoffSeconds: 300,
            ...autoscale,
          },
        ],
      },
    ],
  });
}

let sessionCounter = 0;
export function session(overrides: Partial<Session> = {}): Session {
  sessionCounter += 1;
  return { id: `s${sessionCounter}`, cores: 1, memoryMb: 2048, gpus: 0, staged: false, ...overrides };
}

export function agent(id: string, overrides: Partial<Instance> = {}): Instance {
  return {
    id,
    pool: 'agents',
    autoscale: 'main',
    provider: 'cloud',
    state: 'running',
    checkedIn: true,
    createdAt: '2026-11-23T10:00:00Z',
    capacity: { cores: 4, memoryMb: 8192, gpus: 0 },
    sessions: [],
    ...overrides,
  };
}

export function server(id: string, overrides: Partial<Instance> = {}): Instance {
  return agent(id, { pool: 'rdp', provider: 'lab', ...overrides });
}
