import type { HeadroomConfig } from '../config/config-schema.js';
import { parseConfig } from '../config/parse-config.js';
import type { Resources } from '../model/resources.js';
import type { Intent, IntentKind, StateStore } from '../store/state-store.js';

/**
 * A parsed config with one docker-agent pool `agents`, autoscale config `main` on the fake provider
 * config `cloud` (maxInstances 10): standby 8 cores, 4-core 8 GiB agents, scale-down backoff 60 s,
 * DNS through DNS provider `zone` under `baseDomain` (default `agents.example.com`) unless
 * `dns: false`. `autoscale` is merged over the autoscale config before parsing;
 * `suppliedPlaceholders` are passed to `parseConfig` (placeholders the test's embedder supplies).
 */
export function createTestConfig(
  options: {
    maxInstances?: number;
    autoscale?: Record<string, unknown>;
    dns?: boolean;
    baseDomain?: string;
    suppliedPlaceholders?: string[];
  } = {},
): HeadroomConfig {
  return parseConfig(
    {
      providers: { cloud: { type: 'fake', maxInstances: options.maxInstances ?? 10 } },
      dnsProviders: { zone: { type: 'fake' } },
      pools: [
        {
          id: 'agents',
          kind: 'docker-agent',
          autoscale: [
            {
              id: 'main',
              provider: 'cloud',
              standby: { cores: 8, memoryMb: 0, gpus: 0 },
              agent: { cores: 4, memoryMb: 8192, gpus: 0 },
              downscaleBackoffSeconds: 60,
              ...(options.dns === false
                ? {}
                : { dns: { provider: 'zone', baseDomain: options.baseDomain ?? 'agents.example.com' } }),
              ...options.autoscale,
            },
          ],
        },
      ],
    },
    options.suppliedPlaceholders ? { suppliedPlaceholders: options.suppliedPlaceholders } : {},
  );
}

/**
 * Resolves to what `promise` rejects with; throws when it resolves, or when `guard` is given and
 * the error fails it (`ConfigError.isInstance`, ...), so the test sees the unexpected error.
 */
export async function expectRejection<E = unknown>(
  promise: Promise<unknown>,
  guard?: (error: unknown) => error is E,
): Promise<E> {
  try {
    await promise;
  } catch (error) {
    if (guard && !guard(error)) throw error;
    return error as E;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/**
 * Writes what a reconciler that crashed mid-action leaves in the store: an open intent and, for a
 * create intent with `requested`, its `requested` ledger entry without a provider instance id.
 * Defaults: kind `create`, pool `agents`, autoscale `main`, provider `cloud`, epoch 1.
 */
export async function seedOpenIntent(options: {
  store: StateStore;
  key: string;
  instanceName: string;
  /** Clock time the intent was written (its `createdAt` and `updatedAt`). */
  atMs: number;
  kind?: IntentKind;
  pool?: string;
  autoscale?: string;
  provider?: string;
  providerInstanceId?: string;
  /** Also writes the `requested` ledger entry of a create, with this shape. */
  requested?: { shape: Resources };
  epoch?: number;
}): Promise<Intent> {
  const epoch = options.epoch ?? 1;
  const at = new Date(options.atMs).toISOString();
  const intent: Intent = {
    key: options.key,
    kind: options.kind ?? 'create',
    pool: options.pool ?? 'agents',
    autoscale: options.autoscale ?? 'main',
    provider: options.provider ?? 'cloud',
    instanceName: options.instanceName,
    ...(options.providerInstanceId !== undefined ? { providerInstanceId: options.providerInstanceId } : {}),
    status: 'open',
    attempts: 1,
    createdAt: at,
    updatedAt: at,
  };
  await options.store.putIntent({ epoch, intent });
  if (options.requested && intent.kind === 'create') {
    await options.store.putInstance({
      epoch,
      instance: {
        id: intent.instanceName,
        pool: intent.pool,
        autoscale: intent.autoscale,
        provider: intent.provider,
        state: 'requested',
        shape: { ...options.requested.shape },
        createdAt: at,
        intentKey: intent.key,
      },
    });
  }
  return intent;
}
