import type { Command } from '../command.js';
import { parseCommandArguments, requireFlag } from '../parse-command-arguments.js';
import { createJsonLogger, type LogLevel } from '../run/json-logger.js';
import { startRunService } from '../run/run-service.js';
import { UsageError } from '../usage-error.js';

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export const runCommand: Command = {
  name: 'run',
  summary: 'run the scaler as a service (reconcile loop, HTTP API, metrics)',
  usage:
    'headroom run --config FILE [--state-dir DIR] [--dry-run] [--listen HOST:PORT] [--holder-id ID] [--log-level debug|info|warn|error]\n\n' +
    'Logs are JSON lines on stdout. SIGTERM/SIGINT stop gracefully; SIGHUP or a change of the file reloads the config.',
  flags: {
    config: { value: 'FILE', description: 'the YAML config (default: $HEADROOM_CONFIG)' },
    'state-dir': {
      value: 'DIR',
      description:
        'SQLite database and fake cloud state when the config names none (default: $HEADROOM_STATE_DIR or .headroom)',
    },
    'dry-run': { description: 'plan and report without creating or destroying anything' },
    listen: { value: 'HOST:PORT', description: 'API address, over api.listen (default: $HEADROOM_LISTEN)' },
    'holder-id': { value: 'ID', description: "this replica's id in leader election (default: host name and pid)" },
    'log-level': { value: 'LEVEL', description: 'debug, info, warn or error (default: $HEADROOM_LOG_LEVEL or info)' },
  },
  async run({ argv, stdout }) {
    const { values } = parseCommandArguments(
      argv,
      {
        config: { type: 'string' },
        'state-dir': { type: 'string' },
        'dry-run': { type: 'boolean' },
        listen: { type: 'string' },
        'holder-id': { type: 'string' },
        'log-level': { type: 'string' },
      },
      'run',
    );
    const configPath = requireFlag(values.config ?? (process.env.HEADROOM_CONFIG || undefined), '--config', 'run');
    const listen = values.listen ?? (process.env.HEADROOM_LISTEN || undefined);
    const level = (values['log-level'] ?? process.env.HEADROOM_LOG_LEVEL ?? 'info') as LogLevel;
    if (!LOG_LEVELS.includes(level))
      throw new UsageError(`--log-level ${level}: must be one of ${LOG_LEVELS.join(', ')}`);
    const logger = createJsonLogger({ stream: stdout, level });
    const service = await startRunService({
      configPath,
      stateDir: values['state-dir'] ?? process.env.HEADROOM_STATE_DIR ?? '.headroom',
      dryRun: values['dry-run'] ?? false,
      ...(listen ? { listen } : {}),
      ...(values['holder-id'] ? { holderId: values['holder-id'] } : {}),
      logger,
    });
    return new Promise<number>((resolve) => {
      let signalled = 0;
      const shutdown = (signal: NodeJS.Signals) => {
        signalled += 1;
        if (signalled > 1) {
          logger.warn('second signal: exiting now', { signal });
          process.exit(130);
        }
        logger.info('signal received', { signal });
        service.stop().then(
          () => {
            process.off('SIGHUP', hangup);
            process.off('SIGTERM', shutdown);
            process.off('SIGINT', shutdown);
            // Exits even if a library left a handle open; unref'd, so a clean exit is not delayed.
            setTimeout(() => process.exit(0), 2000).unref();
            resolve(0);
          },
          (error: unknown) => {
            logger.error('shutdown failed', { error: (error as Error).message });
            resolve(1);
          },
        );
      };
      const hangup = () => {
        logger.info('SIGHUP received; reloading the config');
        void service.reload();
      };
      process.on('SIGTERM', shutdown);
      process.on('SIGINT', shutdown);
      process.on('SIGHUP', hangup);
    });
  },
};
