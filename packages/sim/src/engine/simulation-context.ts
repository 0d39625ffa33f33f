import type { ZoneConfig } from '@headroom/core';
import type { Random } from '../random.js';
import type { ResultsRecorder } from '../results/results-recorder.js';
import type { EventQueue } from './event-queue.js';
import type { FleetModel } from './fleet-model.js';
import type { ImagePullTally } from './image-pulls.js';
import type { QuietTickSchedule } from './quiet-tick-schedule.js';
import type { SimEvent, SimInstance, StagingRuntime, ZoneStagingStats } from './simulation-types.js';

/** What an engine wants to hear about between ticks. */
export interface EngineHooks {
  /** A boot failed: the instance is `failed` in the fleet. */
  instanceFailed?(instance: SimInstance): void;
  /** An instance checked in at `atMs`. */
  checkedIn?(instance: SimInstance, atMs: number): void;
}

/** The state of one run, passed explicitly to every step of the engine. */
export interface SimulationContext {
  fleet: FleetModel;
  events: EventQueue<SimEvent>;
  recorder: ResultsRecorder;
  schedule: QuietTickSchedule;
  stagings: StagingRuntime[];
  /** The config's deployment zones (alternate-zone search order). */
  zones: readonly ZoneConfig[];
  /** Staged hits and misses by the requesting session's zone. */
  stagingByZone: Map<string, ZoneStagingStats>;
  placement: 'spread' | 'pack';
  /** A waiting session gives up after this long (may be +∞). */
  giveUpMs: number;
  random: Random;
  defaultPool: string;
  warnings: string[];
  hooks: EngineHooks;
  imagePulls: ImagePullTally;
  /** Arrivals, departures, boots, check-ins and give-ups processed. */
  eventCount: number;
}
