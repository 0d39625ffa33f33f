import { ProviderApiError } from '@headroom/core/provider';
import { callAzure } from './azure-error.js';
import { AZURE_PROVIDER_ID } from './azure-setting.js';

/** Most items one listing reads; beyond it the call fails rather than runs on. */
export const AZURE_MAX_LIST_ITEMS = 100_000;

/**
 * Reads every item of an SDK listing (the SDK follows `nextLink` page by page), mapping errors.
 * @throws ProviderApiError past `AZURE_MAX_LIST_ITEMS`.
 */
export function collectAzureItems<Item>(options: {
  operation: string;
  abortSignal?: AbortSignal | undefined;
  list: () => AsyncIterable<Item>;
}): Promise<Item[]> {
  return callAzure({
    operation: options.operation,
    abortSignal: options.abortSignal,
    call: async () => {
      const items: Item[] = [];
      for await (const item of options.list()) {
        options.abortSignal?.throwIfAborted();
        if (items.length >= AZURE_MAX_LIST_ITEMS) {
          throw new ProviderApiError({
            providerId: AZURE_PROVIDER_ID,
            message: `${options.operation} returned more than ${AZURE_MAX_LIST_ITEMS} items`,
            isRetryable: false,
          });
        }
        items.push(item);
      }
      return items;
    },
  });
}

/** The last segment of a resource id (`…/networkInterfaces/<name>` → `<name>`). */
export function resourceNameOf(resourceId: string | undefined): string | undefined {
  if (!resourceId) return undefined;
  const name = resourceId
    .split('/')
    .filter((segment) => segment !== '')
    .at(-1);
  return name === undefined ? undefined : decodeURIComponent(name);
}
