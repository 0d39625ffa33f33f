import { type Clock, systemClock, systemTimers, type Timers } from '@headroom/core/provider';
import { XMLParser } from 'fast-xml-parser';
import { mapVsphereFault, VsphereFault } from './vsphere-error.js';

/** A vSphere managed object reference (`VirtualMachine` / `vm-42`). */
export interface ManagedObjectReference {
  readonly type: string;
  readonly value: string;
}

/** A data object sent to vim25; `$type` becomes `xsi:type`, `$text` the element's text. Key order is element order. */
export interface SoapObject {
  readonly $type?: string;
  readonly $text?: string;
  readonly [key: string]: SoapValue | undefined;
}

export type SoapValue = string | number | boolean | ManagedObjectReference | SoapObject | readonly SoapValue[];

/** A node of a parsed response: text, element object (`@_` attributes, `#text`), or a list of them. */
export type SoapNode = string | { readonly [key: string]: SoapNode } | readonly SoapNode[];

/** One object of a property retrieval, its properties keyed by property path. */
export interface RetrievedObject {
  obj: ManagedObjectReference;
  properties: Record<string, SoapNode>;
}

export interface VsphereSoapClientOptions {
  /** The SDK endpoint, e.g. `https://vcenter.example.com:443/sdk`. */
  url: string;
  username: string;
  /** Resolved lazily at each login; never logged. */
  password: () => Promise<string>;
  /** Per HTTP request. Default 60 s. */
  requestTimeoutMs?: number;
  /** First delay between task polls; grows to 2 s. Default 100 ms. */
  taskPollIntervalMs?: number;
  fetch?: typeof fetch;
  /** Task deadlines. Default: the system clock. */
  clock?: Clock;
  /** Sleeps between task polls. Default: real timers. */
  timers?: Timers;
}

const SOAP_ACTION = 'urn:vim25/6.5';
const SESSION_COOKIE = 'vmware_soap_session';
const MAXIMUM_TASK_POLL_INTERVAL_MS = 2000;
const MAXIMUM_RESULT_PAGES = 1000;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  htmlEntities: true,
  transformTagName: (name) => name.replace(/^[^:]+:/, ''),
  // Servers pick their own prefix for the XML Schema instance namespace (`xsi`, `XMLSchema-instance` ...).
  transformAttributeName: (name) => (/^@_[^:]+:type$/.test(name) ? '@_xsi:type' : name),
});

const xmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => xmlEscapes[character] ?? character);
}

function isManagedObjectReference(value: unknown): value is ManagedObjectReference {
  if (value == null || typeof value !== 'object' || Array.isArray(value)) {
    return false;
  }
  const keys = Object.keys(value);
  return keys.length === 2 && keys.includes('type') && keys.includes('value');
}

/** Serializes one element (arrays repeat the element). Undefined values are left out. */
export function toXml(name: string, value: SoapValue | undefined): string {
  if (value === undefined) {
    return '';
  }
  if (Array.isArray(value)) {
    return value.map((item: SoapValue) => toXml(name, item)).join('');
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return `<${name}>${escapeXml(String(value))}</${name}>`;
  }
  if (isManagedObjectReference(value)) {
    return `<${name} type="${escapeXml(value.type)}">${escapeXml(value.value)}</${name}>`;
  }
  const object = value as SoapObject;
  const typeAttribute = object.$type ? ` xsi:type="${escapeXml(object.$type)}"` : '';
  let children = object.$text === undefined ? '' : escapeXml(object.$text);
  for (const [key, child] of Object.entries(object)) {
    if (key !== '$type' && key !== '$text') {
      children += toXml(key, child);
    }
  }
  return `<${name}${typeAttribute}>${children}</${name}>`;
}

function envelope({ method, thisReference, parameters }: SoapCall): string {
  let body = toXml('_this', thisReference);
  for (const [key, value] of Object.entries(parameters ?? {})) {
    body += toXml(key, value);
  }
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<soapenv:Body><${method} xmlns="urn:vim25">${body}</${method}></soapenv:Body></soapenv:Envelope>`
  );
}

/** The list form of a node that may occur once or many times (absent: empty). */
export function asArray(node: SoapNode | undefined): readonly SoapNode[] {
  if (node === undefined || node === '') {
    return [];
  }
  return Array.isArray(node) ? node : [node as SoapNode];
}

/** The text of a leaf element (with or without attributes); `undefined` when absent. */
export function textOf(node: SoapNode | undefined): string | undefined {
  if (node === undefined) {
    return undefined;
  }
  if (typeof node === 'string') {
    return node;
  }
  if (Array.isArray(node)) {
    return textOf(node[0]);
  }
  const text = (node as Record<string, SoapNode>)['#text'];
  return typeof text === 'string' ? text : '';
}

/** A child element of an element node. */
export function childOf(node: SoapNode | undefined, name: string): SoapNode | undefined {
  if (node === undefined || typeof node === 'string' || Array.isArray(node)) {
    return undefined;
  }
  return (node as Record<string, SoapNode>)[name];
}

/** Reads a `ManagedObjectReference` element; `undefined` when absent. */
export function referenceOf(node: SoapNode | undefined): ManagedObjectReference | undefined {
  const value = textOf(node);
  const type = textOf(childOf(node, '@_type'));
  return value && type ? { type, value } : undefined;
}

/** The `xsi:type` of an element, e.g. `InvalidLogin` for a fault. */
function xsiTypeOf(node: SoapNode | undefined): string | undefined {
  const type = textOf(childOf(node, '@_xsi:type'));
  return type?.replace(/^[^:]+:/, '');
}

/** Reads a vim25 fault type from the `detail` of a SOAP fault or the `fault` of a `LocalizedMethodFault`. */
export function faultTypeOf(detail: SoapNode | undefined): string {
  if (detail === undefined || typeof detail === 'string' || Array.isArray(detail)) {
    return 'UnknownFault';
  }
  const directType = xsiTypeOf(detail);
  if (directType) {
    return directType;
  }
  const [elementName, element] = Object.entries(detail).find(([key]) => !key.startsWith('@_') && key !== '#text') ?? [];
  if (!elementName) {
    return 'UnknownFault';
  }
  return xsiTypeOf(element) ?? elementName.replace(/Fault$/, '');
}

interface SoapCall {
  method: string;
  thisReference: ManagedObjectReference;
  parameters?: Record<string, SoapValue | undefined>;
  abortSignal?: AbortSignal;
}

/**
 * A small vim25 SOAP client: fixed envelopes, a `vmware_soap_session` cookie session that logs in
 * on first use and again when the server reports `NotAuthenticated`, task polling with a timeout.
 * Every method throws the core error hierarchy (see `mapVsphereFault`), or the abort reason when
 * its `abortSignal` fires.
 */
export class VsphereSoapClient {
  readonly #options: VsphereSoapClientOptions;
  readonly #fetch: typeof fetch;
  readonly #clock: Clock;
  readonly #timers: Timers;
  #serviceContent: Promise<Record<string, SoapNode>> | undefined;
  #sessionCookie: string | undefined;
  #login: Promise<string> | undefined;
  /** Number of successful logins (re-logins after expiry included). */
  loginCount = 0;

  constructor(options: VsphereSoapClientOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? fetch;
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? systemTimers;
  }

  /** The `ServiceContent` (references to SearchIndex, PropertyCollector, ViewManager ...), fetched once. */
  async serviceContent(abortSignal?: AbortSignal): Promise<Record<string, SoapNode>> {
    if (!this.#serviceContent) {
      const pending = this.#post({
        method: 'RetrieveServiceContent',
        thisReference: { type: 'ServiceInstance', value: 'ServiceInstance' },
        ...(abortSignal ? { abortSignal } : {}),
      }).then(
        (node) => node as Record<string, SoapNode>,
        (error: unknown) => {
          throw error instanceof VsphereFault ? mapVsphereFault(error) : error;
        },
      );
      this.#serviceContent = pending;
      pending.catch(() => {
        if (this.#serviceContent === pending) {
          this.#serviceContent = undefined;
        }
      });
    }
    return this.#serviceContent;
  }

  /** A reference from the service content, e.g. `searchIndex`. */
  async serviceReference(name: string, abortSignal?: AbortSignal): Promise<ManagedObjectReference> {
    const reference = referenceOf((await this.serviceContent(abortSignal))[name]);
    if (!reference) {
      throw mapVsphereFault(new VsphereFault({ faultType: 'NotSupported', message: `the server has no ${name}` }));
    }
    return reference;
  }

  /** Calls a vim25 method with the session (logging in when needed) and returns its `returnval`. */
  async invoke(call: SoapCall): Promise<SoapNode | undefined> {
    const cookie = await this.#ensureSession(call.abortSignal);
    try {
      return await this.#post(call, cookie);
    } catch (error) {
      if (!(error instanceof VsphereFault) || error.faultType !== 'NotAuthenticated') {
        throw error instanceof VsphereFault ? mapVsphereFault(error) : error;
      }
    }
    if (this.#sessionCookie === cookie) {
      this.#sessionCookie = undefined;
    }
    const renewedCookie = await this.#ensureSession(call.abortSignal);
    try {
      return await this.#post(call, renewedCookie);
    } catch (error) {
      throw error instanceof VsphereFault ? mapVsphereFault(error) : error;
    }
  }

  /** Ends the session on the server (best effort is the caller's choice: this throws on failure). */
  async logout(abortSignal?: AbortSignal): Promise<void> {
    const cookie = this.#sessionCookie;
    if (!cookie) {
      return;
    }
    this.#sessionCookie = undefined;
    const sessionManager = await this.serviceReference('sessionManager', abortSignal);
    try {
      await this.#post(
        { method: 'Logout', thisReference: sessionManager, ...(abortSignal ? { abortSignal } : {}) },
        cookie,
      );
    } catch (error) {
      throw error instanceof VsphereFault ? mapVsphereFault(error) : error;
    }
  }

  /**
   * Reads properties of the given objects (`RetrievePropertiesEx`, all pages). Objects that no
   * longer exist are left out of the result.
   */
  async retrieveProperties(options: {
    objects: readonly ManagedObjectReference[];
    type: string;
    paths: readonly string[];
    abortSignal?: AbortSignal;
  }): Promise<RetrievedObject[]> {
    const results: RetrievedObject[] = [];
    for (const object of options.objects) {
      try {
        results.push(
          ...(await this.#retrieve({
            specSet: {
              $type: 'PropertyFilterSpec',
              propSet: { $type: 'PropertySpec', type: options.type, all: false, pathSet: [...options.paths] },
              objectSet: { $type: 'ObjectSpec', obj: object, skip: false },
            },
            ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
          })),
        );
      } catch (error) {
        if (!isMissingObjectError(error)) {
          throw error;
        }
      }
    }
    return results;
  }

  /** Reads properties of every object of `type` under `container` (a container view, recursive, all pages). */
  async retrieveContainerProperties(options: {
    container: ManagedObjectReference;
    type: string;
    paths: readonly string[];
    abortSignal?: AbortSignal;
  }): Promise<RetrievedObject[]> {
    const abortOptions = options.abortSignal ? { abortSignal: options.abortSignal } : {};
    const viewManager = await this.serviceReference('viewManager', options.abortSignal);
    const view = referenceOf(
      await this.invoke({
        method: 'CreateContainerView',
        thisReference: viewManager,
        parameters: { container: options.container, type: options.type, recursive: true },
        ...abortOptions,
      }),
    );
    if (!view) {
      throw mapVsphereFault(
        new VsphereFault({ faultType: 'InvalidResponse', message: 'CreateContainerView returned no view' }),
      );
    }
    try {
      return await this.#retrieve({
        specSet: {
          $type: 'PropertyFilterSpec',
          propSet: { $type: 'PropertySpec', type: options.type, all: false, pathSet: [...options.paths] },
          objectSet: {
            $type: 'ObjectSpec',
            obj: view,
            skip: true,
            selectSet: {
              $type: 'TraversalSpec',
              name: 'traverseView',
              type: 'ContainerView',
              path: 'view',
              skip: false,
            },
          },
        },
        ...abortOptions,
      });
    } finally {
      await this.invoke({ method: 'DestroyView', thisReference: view }).catch(() => undefined);
    }
  }

  /**
   * Waits for a task to finish and returns its result. A task error is thrown mapped; a task still
   * running after `timeoutMs` throws a retryable `ProviderApiError` with code `TaskTimeout`.
   */
  async waitForTask(options: {
    task: ManagedObjectReference;
    timeoutMs: number;
    abortSignal?: AbortSignal;
  }): Promise<SoapNode | undefined> {
    const deadline = this.#clock.now() + options.timeoutMs;
    let intervalMs = this.#options.taskPollIntervalMs ?? 100;
    for (;;) {
      const [task] = await this.retrieveProperties({
        objects: [options.task],
        type: 'Task',
        paths: ['info.state', 'info.result', 'info.error'],
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      });
      if (!task) {
        throw mapVsphereFault(
          new VsphereFault({ faultType: 'ManagedObjectNotFound', message: `task ${options.task.value} disappeared` }),
        );
      }
      const state = textOf(task.properties['info.state']);
      if (state === 'success') {
        return task.properties['info.result'];
      }
      if (state === 'error') {
        const error = task.properties['info.error'];
        throw mapVsphereFault(
          new VsphereFault({
            faultType: faultTypeOf(childOf(error, 'fault')),
            message: textOf(childOf(error, 'localizedMessage')) || `task ${options.task.value} failed`,
          }),
        );
      }
      if (this.#clock.now() >= deadline) {
        throw mapVsphereFault(
          new VsphereFault({
            faultType: 'TaskTimeout',
            message: `task ${options.task.value} still ${state ?? 'unknown'} after ${options.timeoutMs} ms`,
          }),
        );
      }
      await this.#timers.sleep(Math.min(intervalMs, Math.max(0, deadline - this.#clock.now())), options.abortSignal);
      intervalMs = Math.min(intervalMs * 2, MAXIMUM_TASK_POLL_INTERVAL_MS);
    }
  }

  /** Runs a `*_Task` method and waits for its result. */
  async runTask(call: SoapCall & { timeoutMs: number }): Promise<SoapNode | undefined> {
    const task = referenceOf(await this.invoke(call));
    if (!task) {
      throw mapVsphereFault(
        new VsphereFault({ faultType: 'InvalidResponse', message: `${call.method} returned no task` }),
      );
    }
    return this.waitForTask({
      task,
      timeoutMs: call.timeoutMs,
      ...(call.abortSignal ? { abortSignal: call.abortSignal } : {}),
    });
  }

  async #retrieve(options: { specSet: SoapObject; abortSignal?: AbortSignal }): Promise<RetrievedObject[]> {
    const abortOptions = options.abortSignal ? { abortSignal: options.abortSignal } : {};
    const propertyCollector = await this.serviceReference('propertyCollector', options.abortSignal);
    const results: RetrievedObject[] = [];
    let page = await this.invoke({
      method: 'RetrievePropertiesEx',
      thisReference: propertyCollector,
      parameters: { specSet: options.specSet, options: { $type: 'RetrieveOptions' } },
      ...abortOptions,
    });
    for (let pageNumber = 0; page !== undefined && pageNumber < MAXIMUM_RESULT_PAGES; pageNumber++) {
      for (const object of asArray(childOf(page, 'objects'))) {
        const reference = referenceOf(childOf(object, 'obj'));
        if (!reference) {
          continue;
        }
        const properties: Record<string, SoapNode> = {};
        for (const property of asArray(childOf(object, 'propSet'))) {
          const name = textOf(childOf(property, 'name'));
          const value = childOf(property, 'val');
          if (name && value !== undefined) {
            properties[name] = value;
          }
        }
        results.push({ obj: reference, properties });
      }
      const token = textOf(childOf(page, 'token'));
      if (!token) {
        break;
      }
      page = await this.invoke({
        method: 'ContinueRetrievePropertiesEx',
        thisReference: propertyCollector,
        parameters: { token },
        ...abortOptions,
      });
    }
    return results;
  }

  async #ensureSession(abortSignal?: AbortSignal): Promise<string> {
    if (this.#sessionCookie) {
      return this.#sessionCookie;
    }
    if (!this.#login) {
      const login = this.#performLogin().finally(() => {
        if (this.#login === login) {
          this.#login = undefined;
        }
      });
      this.#login = login;
    }
    return untilAborted(this.#login, abortSignal);
  }

  async #performLogin(): Promise<string> {
    const sessionManager = await this.serviceReference('sessionManager');
    const password = await this.#options.password();
    let cookie: string | undefined;
    try {
      await this.#post(
        {
          method: 'Login',
          thisReference: sessionManager,
          parameters: { userName: this.#options.username, password },
        },
        undefined,
        (value) => {
          cookie = value;
        },
      );
    } catch (error) {
      throw error instanceof VsphereFault ? mapVsphereFault(error) : error;
    }
    if (!cookie) {
      throw mapVsphereFault(
        new VsphereFault({ faultType: 'InvalidResponse', message: `Login set no ${SESSION_COOKIE} cookie` }),
      );
    }
    this.#sessionCookie = cookie;
    this.loginCount++;
    return cookie;
  }

  /** Sends one envelope; throws `VsphereFault` for faults and HTTP errors, the abort reason on abort. */
  async #post(
    call: SoapCall,
    cookie?: string,
    onSessionCookie?: (cookie: string) => void,
  ): Promise<SoapNode | undefined> {
    const timeoutSignal = AbortSignal.timeout(this.#options.requestTimeoutMs ?? 60_000);
    const signal = call.abortSignal ? AbortSignal.any([call.abortSignal, timeoutSignal]) : timeoutSignal;
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(this.#options.url, {
        method: 'POST',
        headers: {
          'content-type': 'text/xml; charset=utf-8',
          soapaction: SOAP_ACTION,
          ...(cookie ? { cookie } : {}),
        },
        body: envelope(call),
        signal,
      });
      text = await response.text();
    } catch (error) {
      if (call.abortSignal?.aborted) {
        throw call.abortSignal.reason;
      }
      const timedOut = timeoutSignal.aborted;
      throw new VsphereFault({
        faultType: timedOut ? 'Timedout' : 'NetworkError',
        message: timedOut
          ? `${call.method} got no answer within ${this.#options.requestTimeoutMs ?? 60_000} ms`
          : `${call.method} could not reach the server (${error instanceof Error ? error.message : String(error)})`,
      });
    }
    const parsed = parseEnvelope(text);
    const fault = parsed === undefined ? undefined : childOf(parsed, 'Fault');
    if (fault !== undefined) {
      throw new VsphereFault({
        faultType: faultTypeOf(childOf(fault, 'detail')),
        message: textOf(childOf(fault, 'faultstring')) || `${call.method} failed`,
      });
    }
    if (!response.ok || parsed === undefined) {
      throw new VsphereFault({
        faultType: 'HttpError',
        message: `${call.method} answered HTTP ${response.status}`,
        statusCode: response.status,
      });
    }
    if (onSessionCookie) {
      const sessionCookie = response.headers
        .getSetCookie()
        .map((header) => header.split(';')[0]?.trim() ?? '')
        .find((pair) => pair.startsWith(`${SESSION_COOKIE}=`));
      if (sessionCookie) {
        onSessionCookie(sessionCookie);
      }
    }
    return childOf(childOf(parsed, `${call.method}Response`), 'returnval');
  }
}

/**
 * Waits for shared work (a login, a placement lookup) on behalf of one caller: rejects with the
 * caller's abort reason when its signal fires, without cancelling the work for other callers.
 */
export function untilAborted<T>(promise: Promise<T>, abortSignal: AbortSignal | undefined): Promise<T> {
  if (!abortSignal) {
    return promise;
  }
  if (abortSignal.aborted) {
    return Promise.reject(abortSignal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortSignal.reason);
    abortSignal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => abortSignal.removeEventListener('abort', onAbort));
  });
}

function parseEnvelope(text: string): SoapNode | undefined {
  try {
    return childOf(childOf(parser.parse(text) as SoapNode, 'Envelope'), 'Body');
  } catch {
    return undefined;
  }
}

/** Whether an error says the managed object no longer exists. */
export function isMissingObjectError(error: unknown): boolean {
  return (
    error != null &&
    typeof error === 'object' &&
    'code' in error &&
    (error as { code?: unknown }).code === 'ManagedObjectNotFound'
  );
}
