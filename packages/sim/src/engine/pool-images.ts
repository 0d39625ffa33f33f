import { type HeadroomConfig, parseImageReference, type WorkspaceConfig } from '@headroom/core';
import type { PoolImage } from './simulation-types.js';

/**
 * The workspace images a new agent of `pool` pulls before it takes sessions: those of the
 * workspaces enabled on the docker-agent pool (`workspace.pools`, default every docker-agent
 * pool), in config order. Empty for server pools and when no such workspace states a `sizeMb`
 * (nothing to wait for: the run is the same as without images).
 */
export function poolImages(options: { config: HeadroomConfig; pool: HeadroomConfig['pools'][number] }): PoolImage[] {
  const { config, pool } = options;
  if (pool.kind !== 'docker-agent') return [];
  const images = config.workspaces
    .filter((workspace) => workspace.pools === undefined || workspace.pools.includes(pool.id))
    .map(
      (workspace): PoolImage => ({
        workspace: workspace.id,
        reference: workspace.image,
        ...digestOf(workspace),
        sizeMb: workspace.sizeMb ?? 0,
      }),
    );
  return images.some((image) => image.sizeMb > 0) ? images : [];
}

/** The digest agents report for a workspace pinned in the config (`digest`, or `image@digest`). */
function digestOf(workspace: WorkspaceConfig): { digest?: string } {
  const digest = workspace.digest ?? parseImageReference(workspace.image).digest;
  return digest !== undefined ? { digest } : {};
}
