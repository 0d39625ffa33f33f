import type { Command } from '../command.js';
import { parseLoadOptions } from '../load/load-options.js';
import { createLoadRun, playLoad, reportIdleFleet } from '../load/load-run.js';

export const loadCommand: Command = {
  name: 'load',
  summary: 'play a control plane: start sessions at a rate and report the fleet to a running "headroom run"',
  usage:
    'headroom load --rate SESSIONS_PER_MINUTE --pool POOL [--url http://127.0.0.1:8080] [--token TOKEN] [--duration SECONDS]\n' +
    '              [--session-seconds S] [--cores N] [--memory-mb N] [--gpus N] [--max-sessions N] [--interval-seconds S] [--seed N] [--allow-remote]\n\n' +
    'The token may also come from HEADROOM_API_TOKEN. Stops after --duration (default 300) or on Ctrl-C.',
  flags: {
    rate: { value: 'N', description: 'sessions started per minute (0–10000)' },
    pool: { value: 'POOL', description: 'pool the sessions ask for' },
    url: { value: 'URL', description: 'the running service (default http://127.0.0.1:8080)' },
    token: { value: 'TOKEN', description: 'API token (default: $HEADROOM_API_TOKEN)' },
    duration: { value: 'SECONDS', description: 'how long to generate load (default 300)' },
    'session-seconds': { value: 'S', description: 'mean session length (default 120)' },
    cores: { value: 'N', description: 'cores per session (default 1)' },
    'memory-mb': { value: 'N', description: 'memory per session in MiB (default 1024)' },
    gpus: { value: 'N', description: 'GPUs per session (default 0)' },
    'max-sessions': { value: 'N', description: 'sessions alive at once at most' },
    'interval-seconds': { value: 'S', description: 'seconds between fleet reports' },
    seed: { value: 'N', description: 'random seed (same seed, same arrivals)' },
    'allow-remote': { description: 'allow a --url other than 127.0.0.1/localhost' },
  },
  async run({ argv, stdout, stderr }) {
    const load = parseLoadOptions(argv);
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const run = createLoadRun({ load, abort, stdout, stderr });
    try {
      await playLoad(run);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    await reportIdleFleet(run);
    stdout.write(
      `done: started ${run.started} sessions, ${run.finished} finished, ${run.sessions.length} ended by the stop\n`,
    );
    return 0;
  },
};
