import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { SimulationRun } from '@headroom/sim';
import type { TraceInput } from './load-trace.js';
import type { SimulationJob, WorkerReply } from './sweep-messages.js';

/** A sweep point failed in its worker; the message is the simulator's. */
export class SweepError extends Error {
  override readonly name = 'SweepError';
}

/**
 * Runs every job in `node:worker_threads`: min(jobs, available cores) workers, each reading the
 * trace once and taking the next job when it finishes one. Resolves to the runs in job order.
 * @throws SweepError when a worker cannot read the trace or a job fails (all workers are stopped).
 */
export async function runSweep(options: {
  jobs: readonly SimulationJob[];
  trace: TraceInput;
  /** Defaults to min(jobs, available cores). */
  workerCount?: number;
  /** Fraction of the whole sweep done, in [0, 1]. */
  onProgress?: (fraction: number) => void;
}): Promise<SimulationRun[]> {
  const { jobs } = options;
  const workerCount = Math.max(1, Math.min(jobs.length, options.workerCount ?? availableParallelism()));
  const runs: (SimulationRun | undefined)[] = jobs.map(() => undefined);
  const fractions = jobs.map(() => 0);
  const workers: Worker[] = [];
  let next = 0;
  let done = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      if (jobs.length === 0) {
        resolve();
        return;
      }
      const dispatch = (worker: Worker) => {
        if (next >= jobs.length) return;
        const index = next++;
        worker.postMessage({ index, job: jobs[index] });
      };
      for (let count = 0; count < workerCount; count++) {
        const worker = new Worker(new URL('./sweep-worker.js', import.meta.url), {
          workerData: { trace: options.trace },
        });
        workers.push(worker);
        worker.on('message', (reply: WorkerReply) => {
          switch (reply.kind) {
            case 'ready':
              dispatch(worker);
              return;
            case 'progress':
              fractions[reply.index] = reply.fraction;
              options.onProgress?.(fractions.reduce((sum, fraction) => sum + fraction, 0) / jobs.length);
              return;
            case 'result':
              runs[reply.index] = reply.run;
              fractions[reply.index] = 1;
              done++;
              options.onProgress?.(fractions.reduce((sum, fraction) => sum + fraction, 0) / jobs.length);
              if (done === jobs.length) resolve();
              else dispatch(worker);
              return;
            case 'error':
              reject(
                new SweepError(
                  reply.index === undefined ? reply.message : `sweep point ${reply.index + 1}: ${reply.message}`,
                ),
              );
          }
        });
        worker.on('error', (error) => reject(new SweepError(`sweep worker failed: ${error.message}`)));
        worker.on('exit', (code) => {
          if (done < jobs.length) reject(new SweepError(`sweep worker exited with code ${code} before finishing`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return runs as SimulationRun[];
}
