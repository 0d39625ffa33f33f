// computeScalingPlan on 100 autoscale configs, 10,000 instances and 100,000 sessions, against a bare
// pass that only sums every session's reservation over the same snapshot.
import { computeScalingPlan, emptyPlannerState, parseConfig } from '../../packages/core/dist/index.js';

const CONFIGS = 100;
const INSTANCES = 10_000;
const SESSIONS = 100_000;
const RUNS = 60;
const now = Date.parse('2026-11-23T15:00:00Z');

let seed = 42;
const random = () => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};

const pools = [];
for (let p = 0; p < CONFIGS / 4; p += 1) {
  pools.push({
    id: `pool-${p}`,
    kind: p % 5 === 4 ? 'server' : 'docker-agent',
    autoscale: Array.from({ length: 4 }, (_, a) =>
      p % 5 === 4
        ? {
            id: `as-${a}`,
            provider: `cloud-${a}`,
            minimumAvailableSessions: 20,
            maxSessionsPerServer: 10,
            maxUsersPerServer: 10,
            requireCheckin: true,
          }
        : {
            id: `as-${a}`,
            provider: `cloud-${a}`,
            aggressiveScaling: a % 2 === 0,
            standby: { cores: 16, memoryMb: 32768, gpus: 0 },
            agent: { cores: 16, memoryMb: 65536, gpus: 0 },
            downscaleBackoffSeconds: 600,
            schedules:
              a === 3
                ? [
                    {
                      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
                      start: '07:00',
                      end: '19:00',
                      timezone: 'Europe/Berlin',
                    },
                  ]
                : [],
          },
    ),
  });
}
const config = parseConfig({
  providers: Object.fromEntries(
    Array.from({ length: 4 }, (_, a) => [`cloud-${a}`, { type: 'fake', maxInstances: 5000 }]),
  ),
  pools,
  staging: [
    {
      id: 'chrome',
      pool: 'pool-0',
      autoscale: 'as-0',
      workspace: 'chrome',
      desiredSessions: 50,
      session: { cores: 1, memoryMb: 2048, gpus: 0 },
    },
  ],
});
const owners = config.pools.flatMap((pool) =>
  pool.autoscale.map((autoscale) => ({ pool: pool.id, autoscale: autoscale.id, provider: autoscale.provider })),
);
const instances = Array.from({ length: INSTANCES }, (_, index) => {
  const owner = owners[index % owners.length];
  return {
    id: `i-${index}`,
    ...owner,
    state: index % 50 === 0 ? 'starting' : 'running',
    checkedIn: index % 50 !== 0,
    createdAt: new Date(now - (1 + (index % 600)) * 60_000).toISOString(),
    capacity: { cores: 16, memoryMb: 65536, gpus: 0 },
    sessions: [],
  };
});
for (let index = 0; index < SESSIONS; index += 1) {
  const instance = instances[Math.floor(random() * INSTANCES)];
  instance.sessions.push({
    id: `s-${index}`,
    user: `user-${index % 5000}`,
    workspace: index % 7 === 0 ? 'chrome' : 'desktop',
    cores: 1,
    memoryMb: 2048,
    gpus: 0,
    staged: index % 13 === 0,
  });
}
const snapshot = {
  at: new Date(now).toISOString(),
  instances,
  queued: [{ pool: 'pool-0', cores: 2, memoryMb: 4096, gpus: 0, since: new Date(now - 5000).toISOString() }],
};

function barePass() {
  let cores = 0;
  let memoryMb = 0;
  let gpus = 0;
  for (const instance of snapshot.instances) {
    for (const session of instance.sessions) {
      cores += session.cores;
      memoryMb += session.memoryMb;
      gpus += session.gpus;
    }
  }
  return cores + memoryMb + gpus;
}

/** CPU time per run (user + system), less disturbed by other processes than wall time. */
function measure(fn) {
  for (let warm = 0; warm < 10; warm += 1) fn();
  const times = [];
  for (let run = 0; run < RUNS; run += 1) {
    globalThis.gc?.();
    const start = process.cpuUsage();
    fn();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  times.sort((a, b) => a - b);
  return {
    min: times[0],
    median: times[Math.floor(times.length / 2)],
    p99: times[Math.min(times.length - 1, Math.ceil(times.length * 0.99) - 1)],
  };
}

let sink = 0;
const plan = measure(() => {
  sink += computeScalingPlan({ config, snapshot, state: emptyPlannerState(), now }).plan.configs.length;
});
const bare = measure(() => {
  sink += barePass();
});
const result = computeScalingPlan({ config, snapshot, state: emptyPlannerState(), now }).plan;
console.log(
  `fleet: ${CONFIGS} autoscale configs, ${INSTANCES} instances, ${SESSIONS} sessions (${RUNS} runs after 10 warm-ups, CPU time per run, GC between runs)`,
);
console.log(
  `computeScalingPlan: min ${plan.min.toFixed(2)} ms, median ${plan.median.toFixed(2)} ms, p99 ${plan.p99.toFixed(2)} ms`,
);
console.log(
  `bare reservation pass: min ${bare.min.toFixed(2)} ms, median ${bare.median.toFixed(2)} ms, p99 ${bare.p99.toFixed(2)} ms`,
);
console.log(`ratio plan/bare (median): ${(plan.median / bare.median).toFixed(2)}x (target ≤ 1.5x)`);
// The minimum is the run least disturbed by other processes: the steadier figure on a busy machine.
console.log(`ratio plan/bare (min): ${(plan.min / bare.min).toFixed(2)}x`);
console.log(
  `plan: ${result.configs.reduce((sum, c) => sum + c.create, 0)} creates, ${result.configs.reduce((sum, c) => sum + c.destroy.length, 0)} destroys (${sink > 0 ? 'ok' : ''})`,
);
