import { collectComputerRecords } from './collect-computer-records.js';
import { collectOrphans } from './collect-orphans.js';
import { collectStaleDns } from './collect-stale-dns.js';
import { deleteSettledIntents } from './delete-settled-intents.js';
import { fetchConnectionSecrets } from './fetch-connection-secrets.js';
import { handOverDrains } from './hand-over-drains.js';
import { learnDemand } from './learn-demand.js';
import { observe } from './observe.js';
import { planTick } from './plan-tick.js';
import { registerDns } from './register-dns.js';
import { resolveOpenIntents } from './resolve-open-intents.js';
import { runCreates } from './run-creates.js';
import { runDestroys } from './run-destroys.js';
import type { TickStep } from './tick-step.js';
import { verifyLedger } from './verify-ledger.js';

export type { TickStep } from './tick-step.js';

/** The steps of a leader's tick, in order (docs/reconciler.md, "One tick"). */
export const TICK_STEPS: readonly TickStep[] = [
  observe,
  resolveOpenIntents,
  deleteSettledIntents,
  verifyLedger,
  registerDns,
  fetchConnectionSecrets,
  collectOrphans,
  collectStaleDns,
  collectComputerRecords,
  learnDemand,
  planTick,
  handOverDrains,
  runDestroys,
  runCreates,
];
