#!/usr/bin/env node
// Benchmark of the simulator on real traces (run from the repository root after `pnpm -s build`):
//   node packages/sim/scripts/bench-sim.mjs [--json] [--engine planner|reconciler] [--only nasa|azure]
// Replays the whole NASA iPSC log (92 days) and the 9.2-day Azure 2017 window with lifetimes
// (669 k sessions) and prints wall time, simulated days per wall-second, events per second and
// peak RSS. Reading and parsing a trace is timed separately from simulating it.
import { parseConfig } from '@headroom/core';
import { BILLING_PER_SECOND, readAzureTrace, readSwfTrace, simulate } from '../dist/index.js';

const dataDirectory = process.env.HEADROOM_DATA_DIR ?? '../shared/data';
const json = process.argv.includes('--json');
const argumentAfter = (flag) => {
  const index = process.argv.indexOf(flag);
  return index >= 0 ? process.argv[index + 1] : undefined;
};
const engine = argumentAfter('--engine') ?? 'reconciler';
const only = argumentAfter('--only');

const cloud = {
  defaults: {
    bootTime: { kind: 'log-normal', medianSeconds: 50, p95Seconds: 150 },
    bootFailureProbability: 0.01,
    checkinDelay: { kind: 'uniform', minimumSeconds: 5, maximumSeconds: 30 },
    billing: BILLING_PER_SECOND,
  },
  defaultPricePerInstanceHour: 0.68,
};

function agentsConfig({ agent, standby, maxInstances, schedules = [] }) {
  return parseConfig({
    providers: { sim: { type: 'fake', maxInstances } },
    pools: [
      {
        id: 'agents',
        kind: 'docker-agent',
        autoscale: [
          {
            id: 'agents',
            provider: 'sim',
            agent,
            standby,
            aggressiveScaling: true,
            downscaleBackoffSeconds: 900,
            requireCheckin: true,
            schedules,
          },
        ],
      },
    ],
  });
}

// Peak RSS is the kernel's high-water mark for this process (`getrusage` maxrss, in KiB): exact,
// and free of the cost of polling `process.memoryUsage()` during the run.
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function measure(name, load, config) {
  const readStart = performance.now();
  const trace = await load();
  const readMs = performance.now() - readStart;
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const run = await simulate({ config, trace, cloud, seed: 1, engine });
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const simulatedDays = (run.result.endMs - run.result.startMs) / 86_400_000;
  const { result } = run;
  return {
    name,
    engine,
    sessions: trace.sessions.length,
    readMs: Math.round(readMs),
    simulateMs: Math.round(wallMs),
    // CPU time of the run (user + system, all threads): on a busy machine closer to what the run costs.
    simulateCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    simulatedDays: Number(simulatedDays.toFixed(2)),
    simulatedDaysPerSecond: Number((simulatedDays / (wallMs / 1000)).toFixed(1)),
    eventsPerSecond: Math.round(run.stats.events / (wallMs / 1000)),
    ticks: run.stats.ticks,
    ticksEvaluated: run.stats.ticksEvaluated,
    peakRssMb: peakRssMb(),
    cost: Number(result.cost.toFixed(2)),
    oracleCost: Number(result.oracle?.cost.toFixed(2) ?? 0),
    costRatio: Number(result.costRatio?.toFixed(3) ?? 0),
    peakInstances: result.peakInstances,
    served: result.sessions.served,
    refused: result.sessions.refused,
    p95WaitSeconds: Number(result.sessions.waitSeconds.p95.toFixed(1)),
  };
}

const results = [];
if (only === undefined || only === 'nasa')
  results.push(
    await measure(
      'nasa-ipsc-1993 (92 days)',
      () =>
        readSwfTrace({
          path: `${dataDirectory}/pwa-nasa-ipsc-1993/NASA-iPSC-1993-3.1-cln.csv.gz`,
          coresPerProcessor: 0.25,
          memoryMbPerProcessor: 512,
        }),
      agentsConfig({
        agent: { cores: 16, memoryMb: 32768, gpus: 0 },
        standby: { cores: 8, memoryMb: 16384, gpus: 0 },
        maxInstances: 40,
      }),
    ),
  );
if (only === undefined || only === 'azure')
  results.push(
    await measure(
      'azure-vm-2017 lifetime window (9.2 days)',
      () => readAzureTrace({ path: `${dataDirectory}/azure-vm-2017/vm_arrivals.csv.gz` }),
      agentsConfig({
        agent: { cores: 64, memoryMb: 262144, gpus: 0 },
        standby: { cores: 256, memoryMb: 524288, gpus: 0 },
        maxInstances: 100000,
      }),
    ),
  );
if (json) console.log(JSON.stringify(results, null, 2));
else
  for (const row of results)
    console.log(
      Object.entries(row)
        .map(([key, value]) => `${key}=${value}`)
        .join(' '),
    );
