import { failTick, saveInstance } from '../tick-context.js';
import type { TickStep } from './tick-step.js';

/** Ticks a running server's connection secret is asked for before giving up (AWS: ~4–15 min). */
export const MAX_CONNECTION_SECRET_ATTEMPTS = 60;

/**
 * Fetch connection secrets: a running server whose config's connection password is blank (static
 * credentials) and whose provider implements `retrieveConnectionSecret` (AWS Windows: the
 * decrypted administrator password) gets it stored in its ledger entry once the provider has it.
 * Asked once per tick until available, at most `MAX_CONNECTION_SECRET_ATTEMPTS` times; a failure
 * is a tick error (never carrying the secret) and is retried next tick.
 */
export const fetchConnectionSecrets: TickStep = {
  name: 'fetch-connection-secrets',
  async run(context) {
    for (const entry of [...context.ledger.values()]) {
      if (entry.state !== 'running' || entry.connectionSecret !== undefined || entry.providerInstanceId === undefined)
        continue;
      const attempts = entry.connectionSecretAttempts ?? 0;
      if (attempts >= MAX_CONNECTION_SECRET_ATTEMPTS) continue;
      const config = context.entryIndex.get(entry.pool)?.get(entry.autoscale);
      if (config?.kind !== 'server') continue;
      const connection = config.autoscale.connection;
      if (connection.password !== undefined || connection.credentialType !== 'static') continue;
      const provider = context.runtime.providers.get(entry.provider);
      if (!provider?.retrieveConnectionSecret) continue;
      let secret: string | undefined;
      try {
        secret = await provider.retrieveConnectionSecret({ instanceId: entry.providerInstanceId });
      } catch (error) {
        failTick(context, `connection-secret:${entry.id}`, error);
      }
      const next = attempts + 1;
      await saveInstance(context, {
        ...entry,
        ...(secret ? { connectionSecret: secret } : {}),
        connectionSecretAttempts: next,
      });
      if (!secret && next >= MAX_CONNECTION_SECRET_ATTEMPTS)
        failTick(
          context,
          `connection-secret:${entry.id}`,
          new Error(`no connection secret after ${next} attempts; giving up`),
        );
    }
    return undefined;
  },
};
