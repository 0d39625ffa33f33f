import {
  type Clock,
  type HeadroomConfig,
  parseImageReference,
  type StateStore,
  type WorkspaceConfig,
} from '@headroom/core';
import { RegistryError } from '@headroom/registry';
import { resolveWorkspaceDigest } from '../images/workspace-registry.js';
import type { JsonLogger } from './json-logger.js';

/** Seconds before a workspace whose first resolution failed is tried again. */
export const IMAGE_PIN_RETRY_SECONDS = 60;
/** Longest a resolution may take (HEAD of the manifest, token included). */
export const IMAGE_RESOLVE_TIMEOUT_MS = 10_000;

/** A roll the service cannot do; `status` is the HTTP status to answer with. */
export class ImagePinError extends Error {
  constructor(
    message: string,
    readonly status: 404 | 409 | 502,
  ) {
    super(message);
    this.name = 'ImagePinError';
  }
}

/** Where a roll moved a workspace's pin. */
export interface ImageRoll {
  workspace: string;
  previous: string | null;
  digest: string;
}

/**
 * The service's digest pins (one per workspace with a registry and no `digest` in the config):
 * auto-pinned at the first resolution, moved only by a roll. The pins travel to the planner as
 * `imagePins` and come back in its state, so the store keeps them (written by the leader's tick).
 */
export interface ImagePins {
  /** The pins for the next plan: the stored ones, then rolls and first resolutions not yet stored. */
  current(): Promise<Record<string, string>>;
  /** Moves a workspace's pin to the digest its tag points at now (the ramp happens in the plans). */
  roll(workspace: string): Promise<ImageRoll>;
}

/** A workspace the service pins: it has a registry and the config pins no digest itself. */
function pinnable(workspace: WorkspaceConfig): boolean {
  return (
    workspace.registry !== undefined &&
    workspace.digest === undefined &&
    parseImageReference(workspace.image).digest === undefined
  );
}

export function createImagePins(options: {
  config: () => HeadroomConfig;
  configDirectory: string;
  store: Pick<StateStore, 'getPlannerState'>;
  logger: Pick<JsonLogger, 'info' | 'warn' | 'redact'>;
  clock: Clock;
}): ImagePins {
  const { logger, clock } = options;
  /** Pins set here (rolls, first resolutions) that the store may not hold yet. */
  const unsaved = new Map<string, string>();
  const failedAtMs = new Map<string, number>();

  const resolve = async (workspace: WorkspaceConfig): Promise<string> => {
    const index = options.config().workspaces.indexOf(workspace);
    return resolveWorkspaceDigest({
      workspace,
      index,
      configDirectory: options.configDirectory,
      abortSignal: AbortSignal.timeout(IMAGE_RESOLVE_TIMEOUT_MS),
    });
  };
  const failureText = (error: unknown) =>
    logger.redact(error instanceof RegistryError ? error.message : (error as Error).message);

  const firstResolution = async (workspace: WorkspaceConfig, pins: Record<string, string>): Promise<void> => {
    const lastFailure = failedAtMs.get(workspace.id);
    if (lastFailure !== undefined && clock.now() - lastFailure < IMAGE_PIN_RETRY_SECONDS * 1000) return;
    try {
      const digest = await resolve(workspace);
      pins[workspace.id] = digest;
      unsaved.set(workspace.id, digest);
      failedAtMs.delete(workspace.id);
      logger.info('image pinned', { workspace: workspace.id, image: workspace.image, digest });
    } catch (error) {
      failedAtMs.set(workspace.id, clock.now());
      logger.warn('image pin failed', { workspace: workspace.id, image: workspace.image, error: failureText(error) });
    }
  };

  return {
    async current() {
      const stored = (await options.store.getPlannerState()).imagePins ?? {};
      for (const [workspace, digest] of unsaved) if (stored[workspace] === digest) unsaved.delete(workspace);
      const pins: Record<string, string> = {};
      const workspaces = options.config().workspaces.filter(pinnable);
      for (const workspace of workspaces) {
        const pin = unsaved.get(workspace.id) ?? stored[workspace.id];
        if (pin !== undefined) pins[workspace.id] = pin;
        else await firstResolution(workspace, pins);
      }
      return pins;
    },
    async roll(workspaceId) {
      const workspace = options.config().workspaces.find((candidate) => candidate.id === workspaceId);
      if (!workspace) throw new ImagePinError(`no workspace "${workspaceId}" in the config`, 404);
      if (!pinnable(workspace)) {
        throw new ImagePinError(
          `workspace "${workspaceId}" ${workspace.registry === undefined ? 'has no registry' : 'is pinned by its digest in the config'}: change the config to roll it`,
          409,
        );
      }
      const stored = (await options.store.getPlannerState()).imagePins ?? {};
      const previous = unsaved.get(workspaceId) ?? stored[workspaceId] ?? null;
      let digest: string;
      try {
        digest = await resolve(workspace);
      } catch (error) {
        throw new ImagePinError(`cannot resolve ${workspace.image}: ${failureText(error)}`, 502);
      }
      unsaved.set(workspaceId, digest);
      logger.info('image rolled', { workspace: workspaceId, previous, digest });
      return { workspace: workspaceId, previous, digest };
    },
  };
}
