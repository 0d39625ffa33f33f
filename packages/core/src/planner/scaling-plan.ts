import type { ImageAction } from '../images/compute-image-plan.js';
import type { ResourceKey, Resources } from '../model/resources.js';
import type { StagingPlan } from './staging-types.js';

export type PoolKind = 'docker-agent' | 'server';

/** Session counts of a server pool. */
export interface SessionCount {
  sessions: number;
}

/** Why an instance is to be destroyed. */
export type DestroyCause = 'scale-down' | 'checkin-timeout' | 'failed';

export type PlanAction =
  | {
      type: 'create';
      pool: string;
      autoscale: string;
      provider: string;
      count: number;
      /** Capacity each new instance is counted as. */
      shape: Resources;
      reason: string;
    }
  | {
      type: 'destroy';
      pool: string;
      autoscale: string;
      provider: string;
      instanceId: string;
      cause: DestroyCause;
      reason: string;
    }
  | {
      /**
       * `drain`: the control plane places no new sessions on the instance; once empty the planner
       * destroys it. `undrain`: it takes sessions again (demand came back before it emptied).
       */
      type: 'drain' | 'undrain';
      pool: string;
      autoscale: string;
      provider: string;
      instanceId: string;
      reason: string;
    };

/** The decision for one autoscale config, with the numbers behind it. */
export interface ConfigPlan {
  pool: string;
  autoscale: string;
  provider: string;
  kind: PoolKind;
  enabled: boolean;
  active: boolean;
  need: Resources | SessionCount;
  available: Resources | SessionCount;
  pending: Resources | SessionCount;
  /** need − (available + pending), per resource; may be negative (surplus). */
  deficit: Resources | SessionCount;
  /** Instances to create. */
  create: number;
  /** Instance ids to destroy. */
  destroy: string[];
  /** Instance ids to mark draining (docker agents and servers). */
  drain: string[];
  /** Draining instance ids to take back. */
  undrain: string[];
  actions: PlanAction[];
  /** Human-readable reasons for every action and every "no action". */
  reasons: string[];
  warnings: string[];
  /** Resources in deficit that the agent shape cannot supply (e.g. GPUs on a GPU-less agent). */
  unsatisfiable: ResourceKey[];
  /**
   * Docker agents with `predictiveStandby`: the demand growth learnt for this hour (the standby
   * planned with is the larger of it and the static standby); absent when nothing confident was learnt.
   */
  predictedStandby?: Resources;
  /** True when `maxInstances` (or failure backoff) held `create` below what the deficit asks for. */
  capped: boolean;
}

export interface ScalingPlan {
  /** ISO instant the plan was computed for. */
  at: string;
  configs: ConfigPlan[];
  /** Problems with the snapshot itself (instances of unknown configs, ...). */
  warnings: string[];
  /** What the control plane must do for session staging, next to `configs`' create/destroy. */
  staging: StagingPlan;
  /** Image pulls and removals the control plane must do on agents (see `computeImagePlan`). */
  imageActions: ImageAction[];
}
