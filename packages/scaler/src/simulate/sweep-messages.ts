import type { SimulateOptions, SimulationRun } from '@headroom/sim';

/** What one simulation needs besides the trace (structured-cloneable, so it can go to a worker). */
export type SimulationJob = Omit<SimulateOptions, 'trace' | 'onProgress'>;

/** Main thread to worker: run this job. */
export interface WorkerRequest {
  index: number;
  job: SimulationJob;
}

/** Worker to main thread. An error without `index` means the worker could not start (trace unreadable). */
export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'progress'; index: number; fraction: number }
  | { kind: 'result'; index: number; run: SimulationRun }
  | { kind: 'error'; index?: number; message: string };
