import type { ProviderInstance, ProviderInstanceState, Resources } from '@headroom/core/provider';

/** A Nova server as `GET /servers/detail` returns it (microversion ≥ 2.47: flavor embedded). */
export interface NovaServer {
  id: string;
  name: string;
  status: string;
  metadata?: Record<string, string>;
  created?: string;
  'OS-EXT-STS:task_state'?: string | null;
  flavor?: { vcpus?: number; ram?: number; original_name?: string; id?: string };
  addresses?: Record<string, Array<{ addr: string; version?: number; 'OS-EXT-IPS:type'?: string }>>;
  accessIPv4?: string;
  fault?: { code?: number; message?: string };
}

/** A server as Headroom sees it; `faultMessage` is Nova's fault for servers in ERROR. */
export interface OpenstackInstance extends ProviderInstance {
  faultMessage?: string;
}

const pendingStatuses = new Set(['BUILD', 'REBUILD']);
const runningStatuses = new Set([
  'ACTIVE',
  'REBOOT',
  'HARD_REBOOT',
  'RESIZE',
  'VERIFY_RESIZE',
  'REVERT_RESIZE',
  'MIGRATING',
  'PASSWORD',
]);
const goneStatuses = new Set(['DELETED', 'SOFT_DELETED']);

/** Whether Nova still counts the server (DELETED and SOFT_DELETED servers are gone). */
export function isNovaServerLive(server: NovaServer): boolean {
  return !goneStatuses.has(server.status);
}

function mapState(server: NovaServer): ProviderInstanceState {
  if (server['OS-EXT-STS:task_state'] === 'deleting') return 'stopping';
  if (pendingStatuses.has(server.status)) return 'pending';
  if (runningStatuses.has(server.status)) return 'running';
  if (server.status === 'ERROR' || server.status === 'UNKNOWN') return 'failed';
  // SHUTOFF, SUSPENDED, PAUSED, SHELVED, SHELVED_OFFLOADED, RESCUE: not serving sessions.
  return 'stopping';
}

function firstAddress(server: NovaServer, type: 'fixed' | 'floating'): string | undefined {
  const addresses = Object.values(server.addresses ?? {}).flat();
  const matching = addresses.filter((address) => (address['OS-EXT-IPS:type'] ?? 'fixed') === type);
  return (matching.find((address) => address.version !== 6) ?? matching[0])?.addr;
}

function mapShape(server: NovaServer): Resources | undefined {
  const { vcpus, ram } = server.flavor ?? {};
  if (typeof vcpus !== 'number' || typeof ram !== 'number') return undefined;
  return { cores: vcpus, memoryMb: ram, gpus: 0 };
}

/** Maps a Nova server to a Headroom instance (metadata are its tags). */
export function mapOpenstackServer(server: NovaServer): OpenstackInstance {
  const shape = mapShape(server);
  const privateAddress = firstAddress(server, 'fixed');
  const publicAddress = firstAddress(server, 'floating') ?? (server.accessIPv4 || undefined);
  const state = mapState(server);
  return {
    instanceId: server.id,
    name: server.name,
    state,
    tags: { ...server.metadata },
    ...(shape ? { shape } : {}),
    ...(privateAddress ? { privateAddress } : {}),
    ...(publicAddress ? { publicAddress } : {}),
    ...(server.created ? { createdAt: server.created } : {}),
    ...(state === 'failed' ? { faultMessage: server.fault?.message ?? `server is ${server.status}` } : {}),
  };
}
