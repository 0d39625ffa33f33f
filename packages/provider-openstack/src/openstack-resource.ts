import type { KeystoneSession, OpenstackService } from './keystone-session.js';

/** Reads `body[key]` of `GET path`, or `undefined` when the service answers 404. */
export async function readOpenstackResource<T>(options: {
  session: KeystoneSession;
  service: OpenstackService;
  path: string;
  key: string;
  abortSignal?: AbortSignal | undefined;
}): Promise<T | undefined> {
  const response = await options.session.request({
    service: options.service,
    method: 'GET',
    path: options.path,
    abortSignal: options.abortSignal,
    acceptStatuses: [404],
  });
  return response.status === 404 ? undefined : (response.body as Record<string, T>)[options.key];
}

/** `DELETE path`; `false` when the resource was already gone (404). */
export async function deleteOpenstackResource(options: {
  session: KeystoneSession;
  service: OpenstackService;
  path: string;
  abortSignal?: AbortSignal | undefined;
}): Promise<boolean> {
  const response = await options.session.request({
    service: options.service,
    method: 'DELETE',
    path: options.path,
    abortSignal: options.abortSignal,
    acceptStatuses: [404],
  });
  return response.status !== 404;
}
