import { parentPort, workerData } from 'node:worker_threads';
import { simulate } from '@headroom/sim';
import { loadTrace, type TraceInput } from './load-trace.js';
import type { SimulationJob, WorkerReply, WorkerRequest } from './sweep-messages.js';

/** Runs sweep points in a worker thread: reads the trace once, then simulates each job it is sent. */
async function serve(port: NonNullable<typeof parentPort>, input: TraceInput): Promise<void> {
  const send = (reply: WorkerReply) => port.postMessage(reply);
  let trace: Awaited<ReturnType<typeof loadTrace>>;
  try {
    trace = await loadTrace(input);
  } catch (error) {
    send({ kind: 'error', message: (error as Error).message });
    return;
  }
  port.on('message', async (request: WorkerRequest) => {
    const { index, job } = request;
    try {
      const run = await simulate({
        ...(job satisfies SimulationJob),
        trace,
        onProgress: ({ fraction }) => send({ kind: 'progress', index, fraction }),
      });
      send({ kind: 'result', index, run });
    } catch (error) {
      send({ kind: 'error', index, message: (error as Error).message });
    }
  });
  send({ kind: 'ready' });
}

if (parentPort) await serve(parentPort, (workerData as { trace: TraceInput }).trace);
