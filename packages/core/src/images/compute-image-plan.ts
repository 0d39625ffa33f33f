import type { HeadroomConfig, ImageMirrorConfig, WorkspaceConfig } from '../config/config-schema.js';
import type { AgentImage, FleetSnapshot, Instance } from '../model/instance.js';
import { backupImageFor, formatImageReference, type ImageReference, parseImageReference } from './image-reference.js';

/** Seconds between re-pulls of a tag that is present (seed: the agent re-pulls every hour). */
export const IMAGE_REPULL_INTERVAL_SECONDS = 3600;

/** What the control plane must do about one agent's images, with the reason. */
export interface ImageAction {
  type: 'pull-image' | 'remove-image';
  instanceId: string;
  /** Workspace the image serves (absent for an image no enabled workspace uses). */
  workspace?: string;
  /** Image to pull (`name:tag@digest` when pinned) or to remove (as the agent reported it). */
  image: string;
  /** Pulls: the same image in the backup registry (`imageMirror`), for when the source is down. */
  fallbackImage?: string;
  reason: string;
}

/** Whether an agent can take new sessions of every workspace enabled on its pool. */
export interface ImageReadiness {
  ready: boolean;
  /** Workspaces whose image (or pinned digest) the agent does not have yet. */
  missing: string[];
  /**
   * Set when a busy agent serves an old digest of a rolled workspace: it takes no new sessions and
   * pulls only once empty, so its free room is neither available nor pending (it retires).
   */
  retiring?: true;
}

export interface ImagePlan {
  actions: ImageAction[];
  /** Per docker agent of a pool with workspaces; agents not listed have nothing to wait for. */
  readiness: Map<string, ImageReadiness>;
  warnings: string[];
}

export interface ComputeImagePlanOptions {
  config: Pick<HeadroomConfig, 'workspaces' | 'pools' | 'imageMirror'>;
  snapshot: FleetSnapshot;
  /** Digests pinned per workspace by the service (first resolution, then operator rolls); config `digest` wins. */
  pins?: Readonly<Record<string, string>>;
}

const repositoryKey = (reference: ImageReference) => `${reference.registry}/${reference.repository}`;

function tryParse(image: string): ImageReference | undefined {
  try {
    return parseImageReference(image);
  } catch {
    return undefined;
  }
}

/** The docker-agent pools each workspace is enabled on. */
function workspacesByPool(config: ComputeImagePlanOptions['config']): Map<string, WorkspaceConfig[]> {
  const byPool = new Map<string, WorkspaceConfig[]>();
  for (const pool of config.pools) if (pool.kind === 'docker-agent') byPool.set(pool.id, []);
  for (const workspace of config.workspaces) {
    for (const poolId of workspace.pools ?? [...byPool.keys()]) byPool.get(poolId)?.push(workspace);
  }
  return byPool;
}

interface WorkspaceTarget {
  workspace: WorkspaceConfig;
  reference: ImageReference;
  /** Pinned digest, if any. */
  digest: string | undefined;
  /** What to pull: the tag, or the pinned digest. */
  pull: string;
  /** The same in the backup registry, when `imageMirror` is configured. */
  fallback: string | undefined;
}

function targetOf(
  workspace: WorkspaceConfig,
  pins: Readonly<Record<string, string>>,
  mirror: ImageMirrorConfig | undefined,
): WorkspaceTarget | undefined {
  const reference = tryParse(workspace.image);
  if (!reference) return undefined;
  const digest = workspace.digest ?? reference.digest ?? pins[workspace.id];
  const pinned = { ...reference, digest };
  const fallback = mirror ? formatImageReference(backupImageFor(pinned, mirror)) : undefined;
  return { workspace, reference, digest, pull: formatImageReference(pinned), fallback };
}

const ageSeconds = (at: string, since: string | undefined) =>
  since === undefined ? Number.POSITIVE_INFINITY : (Date.parse(at) - Date.parse(since)) / 1000;

/** One enabled workspace on one agent: its action (if any) and whether the agent is ready for it. */
function planWorkspace(options: {
  instance: Instance;
  target: WorkspaceTarget;
  held: AgentImage | undefined;
  at: string;
}): { action?: ImageAction; ready: boolean; retiring?: true; warning?: string } {
  const { instance, target, held, at } = options;
  const { workspace } = target;
  const pull = (reason: string): ImageAction => ({
    type: 'pull-image',
    instanceId: instance.id,
    workspace: workspace.id,
    image: target.pull,
    ...(target.fallback ? { fallbackImage: target.fallback } : {}),
    reason,
  });
  if (held?.state === 'pulling') return { ready: false };
  const pinnedMismatch = held !== undefined && target.digest !== undefined && held.digest !== target.digest;
  if (held && !pinnedMismatch) {
    const repull =
      workspace.registry !== undefined &&
      target.digest === undefined &&
      ageSeconds(at, held.pulledAt) >= IMAGE_REPULL_INTERVAL_SECONDS;
    return repull
      ? {
          ready: true,
          action: pull(
            `re-pull ${target.pull}: last pulled ${held.pulledAt ?? 'at an unknown time'}, every ${IMAGE_REPULL_INTERVAL_SECONDS / 60} min for a tag`,
          ),
        }
      : { ready: true };
  }
  if (workspace.registry === undefined) {
    return {
      ready: false,
      warning: `${instance.id}: image ${target.pull} of workspace ${workspace.id} is not on the agent and the workspace has no registry to pull it from`,
    };
  }
  if (!held) return { ready: false, action: pull(`workspace ${workspace.id}: ${target.pull} is not on the agent yet`) };
  if (instance.sessions.length > 0) {
    // A roll is a ramp: an agent serving the old digest keeps its sessions and takes no new ones.
    return { ready: false, retiring: true };
  }
  return {
    ready: false,
    action: pull(
      `workspace ${workspace.id} is pinned to ${target.digest}; the agent has ${held.digest ?? 'another digest'} and is idle`,
    ),
  };
}

/** Images an agent holds that no enabled workspace uses. */
function unusedImages(instance: Instance, targets: readonly WorkspaceTarget[]): ImageAction[] {
  const wanted = new Set(targets.map((target) => repositoryKey(target.reference)));
  return (instance.images ?? []).flatMap((image) => {
    const reference = tryParse(image.reference);
    if (!reference || wanted.has(repositoryKey(reference)) || image.state === 'pulling') return [];
    return [
      {
        type: 'remove-image' as const,
        instanceId: instance.id,
        image: image.reference,
        reason: `no workspace enabled on pool ${instance.pool} uses ${image.reference}`,
      },
    ];
  });
}

/**
 * The image the agent holds for a target: for a pinned workspace the one with the pinned digest,
 * else any of the repository (an old digest); for a tag, the same tag.
 */
function heldImage(instance: Instance, target: WorkspaceTarget): AgentImage | undefined {
  const key = repositoryKey(target.reference);
  const candidates = (instance.images ?? []).filter((image) => {
    const reference = tryParse(image.reference);
    return reference !== undefined && repositoryKey(reference) === key;
  });
  if (target.digest !== undefined) {
    return candidates.find((image) => image.digest === target.digest) ?? candidates[0];
  }
  return candidates.find((image) => tryParse(image.reference)?.tag === target.reference.tag);
}

/**
 * The image plan (seeds: image maintenance, pinning): for every running, checked-in docker agent
 * of a pool with workspaces, pull what is missing at once, re-pull tags hourly when the workspace
 * has a registry, remove images no enabled workspace uses, and report which agents are ready.
 * An agent whose snapshot entry has no `images` field is not planned (its control plane does not
 * report images) and counts as ready.
 * A workspace pinned to a digest is rolled as a ramp: busy agents with the old digest keep their
 * sessions and are not ready for new ones; idle ones pull the pinned digest. Pure: time is the
 * snapshot's `at`. Pulls already running (`state: pulling`) are not asked again.
 */
export function computeImagePlan(options: ComputeImagePlanOptions): ImagePlan {
  const { snapshot } = options;
  const pins = options.pins ?? {};
  const byPool = workspacesByPool(options.config);
  const targetsByPool = new Map(
    [...byPool].map(([poolId, workspaces]) => [
      poolId,
      workspaces.flatMap((workspace) => targetOf(workspace, pins, options.config.imageMirror) ?? []),
    ]),
  );
  const plan: ImagePlan = { actions: [], readiness: new Map(), warnings: [] };
  for (const instance of snapshot.instances) {
    const targets = targetsByPool.get(instance.pool);
    if (!targets || targets.length === 0 || instance.state !== 'running' || !instance.checkedIn) continue;
    // No `images` at all: the control plane does not report images; nothing to plan, nothing to wait for.
    if (instance.images === undefined) continue;
    const missing: string[] = [];
    let retiring = false;
    for (const target of targets) {
      const result = planWorkspace({ instance, target, held: heldImage(instance, target), at: snapshot.at });
      if (result.action) plan.actions.push(result.action);
      if (result.warning) plan.warnings.push(result.warning);
      if (!result.ready) missing.push(target.workspace.id);
      if (result.retiring) retiring = true;
    }
    plan.actions.push(...unusedImages(instance, targets));
    plan.readiness.set(instance.id, { ready: missing.length === 0, missing, ...(retiring ? { retiring: true } : {}) });
  }
  return plan;
}
