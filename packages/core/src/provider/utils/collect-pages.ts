import { ProviderApiError } from '../../errors/provider-api-error.js';

/**
 * Reads every page of a paged listing: calls `fetchPage` with the previous page's token until it
 * returns none. Fails (rather than loops) past `maxPages`, and when a token repeats.
 * @throws ProviderApiError when the listing does not end.
 */
export async function collectPages<Item, Token = string>(options: {
  fetchPage: (token: Token | undefined) => Promise<{ items: readonly Item[]; nextToken?: Token | undefined }>;
  providerId: string;
  /** Default 1000. */
  maxPages?: number;
  abortSignal?: AbortSignal;
}): Promise<Item[]> {
  const maxPages = options.maxPages ?? 1000;
  const items: Item[] = [];
  const seen = new Set<Token>();
  let token: Token | undefined;
  for (let page = 0; page < maxPages; page++) {
    options.abortSignal?.throwIfAborted();
    const result = await options.fetchPage(token);
    items.push(...result.items);
    if (result.nextToken === undefined || result.nextToken === null || result.nextToken === '') return items;
    if (seen.has(result.nextToken)) {
      throw new ProviderApiError({ providerId: options.providerId, message: 'listing repeated a page token' });
    }
    seen.add(result.nextToken);
    token = result.nextToken;
  }
  throw new ProviderApiError({
    providerId: options.providerId,
    message: `listing did not end after ${maxPages} pages`,
  });
}
