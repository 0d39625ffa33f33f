// The simulator benchmark lives with its package; run it from the repository root so it finds
// ../shared/data. It runs once per engine: the production reconciler (what `headroom simulate`
// uses) and the planner applied directly (same results, no reconciler bookkeeping).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
let failed = false;
for (const engine of ['reconciler', 'planner']) {
  const result = spawnSync(
    process.execPath,
    ['packages/sim/scripts/bench-sim.mjs', '--engine', engine, ...process.argv.slice(2)],
    { cwd: root, stdio: 'inherit' },
  );
  if (result.status !== 0) failed = true;
}
process.exitCode = failed ? 1 : 0;
