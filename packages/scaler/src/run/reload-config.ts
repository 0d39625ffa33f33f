import { unwatchFile, watchFile } from 'node:fs';
import { ConfigError, listAutoscaleEntries } from '@headroom/core';
import type { JsonLogger } from './json-logger.js';
import { diffReload } from './reload-diff.js';
import { loadServiceConfig, type ServiceConfig } from './service-config.js';

/**
 * Re-reads the config: an invalid one (or one adding providers) is refused with its problems and
 * the running one stays; a valid one goes to `apply`. Reloads run one at a time.
 */
export function createConfigReloader(options: {
  configPath: string;
  logger: JsonLogger;
  current: () => ServiceConfig;
  providerIds: ReadonlySet<string>;
  dnsProviderIds: ReadonlySet<string>;
  apply: (next: ServiceConfig) => void;
}): () => Promise<boolean> {
  const { logger } = options;
  const reload = async (): Promise<boolean> => {
    try {
      const next = await loadServiceConfig(options.configPath);
      logger.addSecrets(next.secrets);
      const diff = diffReload({ previous: options.current(), next, ...options });
      if (diff.issues.length > 0) throw new ConfigError({ issues: diff.issues, source: options.configPath });
      options.apply(next);
      logger.info('config reloaded', {
        configs: listAutoscaleEntries(next.config).map(({ pool, autoscale }) => `${pool.id}/${autoscale.id}`),
        ...(diff.restartNeeded.length ? { takesEffectOnRestart: diff.restartNeeded } : {}),
      });
      return true;
    } catch (error) {
      const issues = ConfigError.isInstance(error) ? error.issues : undefined;
      logger.error('config reload refused; keeping the running config', {
        error: (error as Error).message,
        ...(issues ? { issues } : {}),
      });
      return false;
    }
  };
  let previous: Promise<boolean> = Promise.resolve(true);
  return () => {
    previous = previous.then(reload, reload);
    return previous;
  };
}

/** Calls `onChange` when the file's size or modification time changes; returns the unwatch function. */
export function watchConfigFile(path: string, onChange: () => void): () => void {
  let lastChangeMs = 0;
  watchFile(path, { interval: 500 }, (current, previous) => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size) return;
    if (current.mtimeMs === lastChangeMs) return;
    lastChangeMs = current.mtimeMs;
    onChange();
  });
  return () => unwatchFile(path);
}
