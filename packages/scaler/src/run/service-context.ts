import type { Autoscaler, Clock, LeaderElector, StateStore } from '@headroom/core';
import type { CheckinTokens } from './checkin-tokens.js';
import type { FleetInventory } from './fleet-inventory.js';
import type { ImagePins } from './image-pins.js';
import type { JsonLogger } from './json-logger.js';
import type { ServiceConfig } from './service-config.js';
import type { ServiceMetrics } from './service-metrics.js';
import type { TickHistory } from './tick-history.js';

/** What the routes of `headroom run` share: the parts of the running service, read at request time. */
export interface ServiceContext {
  readonly holderId: string;
  readonly dryRun: boolean;
  readonly clock: Clock;
  readonly logger: JsonLogger;
  readonly store: StateStore;
  readonly leaderElector: LeaderElector | undefined;
  readonly inventory: FleetInventory;
  readonly metrics: ServiceMetrics;
  readonly autoscaler: Autoscaler;
  readonly history: TickHistory;
  /** Folder of the config file: relative `{ file }` secret paths resolve against it. */
  readonly configDirectory: string;
  /** Digest pins per workspace (auto-pinned, rolled through the API). */
  readonly imagePins: ImagePins;
  /** The config in force (it changes on reload). */
  config(): ServiceConfig;
  /** Check-in token issuer/verifier of the config in force; undefined without `checkin`. */
  tokens(): CheckinTokens | undefined;
  /** Whether this replica leads now. */
  isLeader(): boolean;
  /** Who leads (from the elector), or null when unknown. */
  currentLeader(): Promise<{ holderId: string; epoch: number } | null>;
  /** Refreshes the gauges read from the store (ledger, planner state, last plan). */
  refreshStateMetrics(): Promise<void>;
}
