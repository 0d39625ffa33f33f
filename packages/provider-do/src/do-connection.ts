import { loadSetting, resolveSecret, type SecretInput, systemClock, systemTimers } from '@headroom/core/provider';
import { createDoApiClient, type DoApiClient } from './do-client.js';
import { DO_PROVIDER_ID } from './do-error.js';
import type { DoInjectedSeams } from './do-provider-settings.js';

/** The connection settings both adapters share. */
export interface DoConnectionSettings {
  token?: SecretInput | undefined;
  endpoint: string;
  requestTimeoutSeconds: number;
  maxRateLimitWaitSeconds: number;
}

/**
 * The API client for parsed settings. The token (the setting, else `DIGITALOCEAN_TOKEN`) is
 * resolved on the first call and kept; a failed resolution is tried again next time.
 */
export function createDoClientFromSettings(settings: DoConnectionSettings, seams: DoInjectedSeams): DoApiClient {
  let token: Promise<string> | undefined;
  const getToken = () => {
    token ??= (async () => {
      if (settings.token !== undefined) {
        return resolveSecret({
          value: settings.token,
          providerId: DO_PROVIDER_ID,
          field: 'token',
          ...(seams.configDirectory ? { baseDirectory: seams.configDirectory } : {}),
        });
      }
      return loadSetting({
        settingValue: undefined,
        environmentVariableName: 'DIGITALOCEAN_TOKEN',
        settingName: 'token',
        description: 'DigitalOcean API token',
        providerId: DO_PROVIDER_ID,
      });
    })();
    token.catch(() => {
      token = undefined;
    });
    return token;
  };
  return createDoApiClient({
    endpoint: settings.endpoint,
    getToken,
    fetch: seams.fetch ?? ((input, init) => fetch(input, init)),
    clock: seams.clock ?? systemClock,
    timers: seams.timers ?? systemTimers,
    requestTimeoutMs: settings.requestTimeoutSeconds * 1000,
    maxRateLimitWaitMs: settings.maxRateLimitWaitSeconds * 1000,
  });
}
