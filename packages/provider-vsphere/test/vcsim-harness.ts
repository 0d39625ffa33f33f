import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type ManagedObjectReference,
  referenceOf,
  type SoapObject,
  VsphereSoapClient,
} from '../src/vsphere-soap-client.js';

export const VCSIM_USERNAME = 'headroom';
export const VCSIM_PASSWORD = 'vcsim-Secret-1';

/** Where the vcsim binary is expected: `VCSIM_BINARY`, else `/tmp/headroom-vcsim/vcsim`. */
export const vcsimBinaryPath = process.env.VCSIM_BINARY ?? '/tmp/headroom-vcsim/vcsim';

export const vcsimMissingMessage =
  `vcsim binary not found at ${vcsimBinaryPath}. Build it with ` +
  `"scripts/ci/vcsim/build-vcsim.sh ${vcsimBinaryPath}" (installs golang-go and golang-github-vmware-govmomi-dev ` +
  'with apt when missing) or set VCSIM_BINARY.';

/** Whether the vcsim tests can run. In CI a missing binary is a failure, elsewhere the tests are skipped. */
export const vcsimAvailable = existsSync(vcsimBinaryPath);

export interface RunningVcsim {
  /** `http://127.0.0.1:PORT/sdk` */
  url: string;
  host: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts vcsim on 127.0.0.1 with a free port (port 0) and the test credentials; resolves once it listens. */
export async function startVcsim(): Promise<RunningVcsim> {
  const child: ChildProcess = spawn(
    vcsimBinaryPath,
    ['-l', '127.0.0.1:0', '-username', VCSIM_USERNAME, '-password', VCSIM_PASSWORD],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
    }
    await exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`vcsim did not start within 20 s: ${output}`)), 20_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        const match = /VCSIM_URL=(\S+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`vcsim exited with ${code}: ${output}`));
      });
    });
    const parsed = new URL(url);
    return { url, host: parsed.hostname, port: Number(parsed.port), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A canned answer the proxy gives instead of forwarding. */
export interface ProxyAnswer {
  status: number;
  body: string;
  contentType?: string;
}

/** The SOAP method of a request envelope. */
export function soapMethodOf(body: string): string | undefined {
  return /<(?:\w+:)?Body>\s*<(?:\w+:)?(\w+)/.exec(body)?.[1];
}

/** A recorded vim25 response body (`<METHOD>Response` with the given inner XML). */
export function soapResponseAnswer({ method, innerXml }: { method: string; innerXml: string }): ProxyAnswer {
  return {
    status: 200,
    body:
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
      'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>' +
      `<${method}Response xmlns="urn:vim25">${innerXml}</${method}Response></soapenv:Body></soapenv:Envelope>`,
  };
}

export function soapFaultAnswer({ faultType, message }: { faultType: string; message: string }): ProxyAnswer {
  return {
    status: 500,
    body:
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>' +
      `<faultcode>ServerFaultCode</faultcode><faultstring>${message}</faultstring>` +
      `<detail><${faultType}Fault xmlns="urn:vim25" xsi:type="${faultType}"></${faultType}Fault></detail>` +
      '</soapenv:Fault></soapenv:Body></soapenv:Envelope>',
  };
}

export interface SoapProxy {
  /** `http://127.0.0.1:PORT` */
  host: string;
  port: number;
  /**
   * Answers the next request for `method` (whose body contains `bodyContains`, when given) with
   * `answer` instead of forwarding it.
   */
  answerNext(method: string, answer: ProxyAnswer, bodyContains?: string): void;
  /** Runs `action` before forwarding the next request for `method` (e.g. to create a race). */
  beforeNext(method: string, action: (requestBody: string) => Promise<void>): void;
  /** Methods of every request seen, in order. */
  readonly methods: string[];
  /** Request bodies by method, in order. */
  readonly requests: { method: string; body: string }[];
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/**
 * A SOAP proxy on 127.0.0.1 in front of `targetUrl` (vcsim), or a pure replay server when
 * `targetUrl` is omitted (every request must then have a canned answer). Canned answers are
 * consumed once, in order, per method.
 */
export async function startSoapProxy(targetUrl?: string): Promise<SoapProxy> {
  const queued: { method: string; answer: ProxyAnswer; bodyContains: string | undefined }[] = [];
  const actions: { method: string; action: (requestBody: string) => Promise<void> }[] = [];
  const methods: string[] = [];
  const requests: { method: string; body: string }[] = [];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const method = soapMethodOf(body) ?? '(none)';
      methods.push(method);
      requests.push({ method, body });
      const index = queued.findIndex(
        (entry) => entry.method === method && (entry.bodyContains === undefined || body.includes(entry.bodyContains)),
      );
      const [entry] = index >= 0 ? queued.splice(index, 1) : [];
      if (entry) {
        response.writeHead(entry.answer.status, {
          'content-type': entry.answer.contentType ?? 'text/xml; charset=utf-8',
        });
        response.end(entry.answer.body);
        return;
      }
      const actionIndex = actions.findIndex((candidate) => candidate.method === method);
      const [action] = actionIndex >= 0 ? actions.splice(actionIndex, 1) : [];
      await action?.action(body);
      if (!targetUrl) {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end(`no recorded answer for ${method}`);
        return;
      }
      const headers: Record<string, string> = { 'content-type': 'text/xml; charset=utf-8' };
      for (const name of ['cookie', 'soapaction']) {
        const value = request.headers[name];
        if (typeof value === 'string') {
          headers[name] = value;
        }
      }
      const upstream = await fetch(targetUrl, { method: 'POST', headers, body });
      const responseHeaders: Record<string, string | string[]> = {
        'content-type': upstream.headers.get('content-type') ?? 'text/xml',
      };
      const cookies = upstream.headers.getSetCookie();
      if (cookies.length > 0) {
        responseHeaders['set-cookie'] = cookies;
      }
      response.writeHead(upstream.status, responseHeaders);
      response.end(await upstream.text());
    })().catch((error: unknown) => {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    methods,
    requests,
    beforeNext(method, action) {
      actions.push({ method, action });
    },
    answerNext(method, answer, bodyContains) {
      queued.push({ method, answer, bodyContains });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

/** A client straight to vcsim for test setup (marking templates, simulating the guest). */
export function createAdministratorClient(url: string): VsphereSoapClient {
  return new VsphereSoapClient({ url, username: VCSIM_USERNAME, password: async () => VCSIM_PASSWORD });
}

export async function findVirtualMachine(
  client: VsphereSoapClient,
  inventoryPath: string,
): Promise<ManagedObjectReference | undefined> {
  return referenceOf(
    await client.invoke({
      method: 'FindByInventoryPath',
      thisReference: await client.serviceReference('searchIndex'),
      parameters: { inventoryPath },
    }),
  );
}

/** Powers off the VM at `DC0/vm/<name>` and marks it as a template. */
export async function markAsTemplate(client: VsphereSoapClient, name: string): Promise<ManagedObjectReference> {
  const reference = await findVirtualMachine(client, `DC0/vm/${name}`);
  if (!reference) {
    throw new Error(`vcsim has no VM ${name}`);
  }
  await client.runTask({ method: 'PowerOffVM_Task', thisReference: reference, timeoutMs: 10_000 });
  await client.invoke({ method: 'MarkAsTemplate', thisReference: reference });
  return reference;
}

/** Sets guest properties through vcsim's `SET.<property>` extraConfig hook (simulates VMware Tools reporting). */
export async function setGuestProperties(
  client: VsphereSoapClient,
  reference: ManagedObjectReference,
  properties: Record<string, string>,
): Promise<void> {
  const extraConfig: SoapObject[] = Object.entries(properties).map(([key, value]) => ({
    $type: 'OptionValue',
    key: `SET.${key}`,
    value: { $type: 'xsd:string', $text: value },
  }));
  await client.runTask({
    method: 'ReconfigVM_Task',
    thisReference: reference,
    parameters: { spec: { $type: 'VirtualMachineConfigSpec', extraConfig } },
    timeoutMs: 10_000,
  });
}
