import type { ProviderInstance, ProviderInstanceState } from '@headroom/core/provider';
import { decodeDoTags } from './do-tags.js';

/** The members of a droplet the adapter reads (API v2 `droplet` object). */
export interface DoDroplet {
  id: number;
  name: string;
  /** `new`, `active`, `off` or `archive`. */
  status: string;
  memory?: number;
  vcpus?: number;
  created_at?: string;
  tags?: string[];
  size_slug?: string;
  gpu_info?: { count?: number };
  networks?: {
    v4?: Array<{ ip_address: string; type: 'public' | 'private' }>;
    v6?: Array<{ ip_address: string; type: 'public' }>;
  };
}

/** Whether a droplet is gone for Headroom (archived or being destroyed). */
export function isDoDropletGone(droplet: DoDroplet): boolean {
  return droplet.status === 'archive';
}

function mapState(status: string): ProviderInstanceState {
  switch (status) {
    case 'new':
      return 'pending';
    case 'active':
      return 'running';
    case 'off':
      return 'stopping';
    default:
      return 'failed';
  }
}

/** Maps a droplet to the provider contract's instance: tags decoded, shape from vCPUs/memory/GPUs. */
export function mapDoDroplet(droplet: DoDroplet): ProviderInstance {
  const mapped: ProviderInstance = {
    instanceId: String(droplet.id),
    name: droplet.name,
    state: mapState(droplet.status),
    tags: decodeDoTags(droplet.tags ?? []),
  };
  if (droplet.vcpus !== undefined && droplet.memory !== undefined) {
    mapped.shape = { cores: droplet.vcpus, memoryMb: droplet.memory, gpus: droplet.gpu_info?.count ?? 0 };
  }
  const privateAddress = droplet.networks?.v4?.find((network) => network.type === 'private')?.ip_address;
  const publicAddress =
    droplet.networks?.v4?.find((network) => network.type === 'public')?.ip_address ??
    droplet.networks?.v6?.find((network) => network.type === 'public')?.ip_address;
  if (privateAddress) mapped.privateAddress = privateAddress;
  if (publicAddress) mapped.publicAddress = publicAddress;
  if (droplet.created_at && !Number.isNaN(Date.parse(droplet.created_at))) {
    mapped.createdAt = new Date(Date.parse(droplet.created_at)).toISOString();
  }
  return mapped;
}
