import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  InsufficientCapacityError,
  InvalidProviderConfigError,
  ProviderApiError,
  QuotaExceededError,
} from '@headroom/core/provider';
import { afterEach, describe, expect, test } from 'vitest';
import { mapVsphereFault, VsphereFault } from './vsphere-error.js';
import { asArray, faultTypeOf, textOf, toXml, untilAborted, VsphereSoapClient } from './vsphere-soap-client.js';

function envelope(inner: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`
  );
}

function fault(faultType: string, message = 'failed'): string {
  return envelope(
    `<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${message}</faultstring>` +
      `<detail><${faultType}Fault xmlns="urn:vim25" xsi:type="${faultType}"></${faultType}Fault></detail></soapenv:Fault>`,
  );
}

const serviceContent = envelope(
  '<RetrieveServiceContentResponse xmlns="urn:vim25"><returnval>' +
    '<rootFolder type="Folder">group-d1</rootFolder><propertyCollector type="PropertyCollector">propertyCollector</propertyCollector>' +
    '<sessionManager type="SessionManager">SessionManager</sessionManager><searchIndex type="SearchIndex">SearchIndex</searchIndex>' +
    '</returnval></RetrieveServiceContentResponse>',
);

interface ScriptedServer {
  url: string;
  requests: { method: string; cookie: string | undefined; body: string }[];
}

let servers: Server[] = [];

afterEach(async () => {
  await Promise.all(
    servers.map((server) => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    }),
  );
  servers = [];
});

/** A scripted vim25 endpoint on 127.0.0.1: `answer` picks the response of each request. */
async function scriptedServer(
  answer: (request: { method: string; cookie: string | undefined; body: string; index: number }) => {
    status?: number;
    body: string;
    setCookie?: string;
  },
): Promise<ScriptedServer> {
  const requests: ScriptedServer['requests'] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const method = /<soapenv:Body><(\w+)/.exec(body)?.[1] ?? '';
      const cookie = request.headers.cookie;
      requests.push({ method, cookie, body });
      const result = answer({ method, cookie, body, index: requests.length - 1 });
      response.writeHead(result.status ?? 200, {
        'content-type': 'text/xml',
        ...(result.setCookie ? { 'set-cookie': result.setCookie } : {}),
      });
      response.end(result.body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/sdk`, requests };
}

describe('toXml', () => {
  test('escapes text, writes references with their type and data objects with xsi:type, in key order', () => {
    expect(
      toXml('spec', {
        $type: 'VirtualMachineConfigSpec',
        annotation: 'a & b <c> "d" \'e\'',
        numCPUs: 2,
        extraConfig: [{ $type: 'OptionValue', key: 'k', value: { $type: 'xsd:string', $text: 'v' } }],
        missing: undefined,
      }),
    ).toBe(
      '<spec xsi:type="VirtualMachineConfigSpec"><annotation>a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;</annotation>' +
        '<numCPUs>2</numCPUs><extraConfig xsi:type="OptionValue"><key>k</key><value xsi:type="xsd:string">v</value></extraConfig></spec>',
    );
    expect(toXml('vm', { type: 'VirtualMachine', value: 'vm-1' })).toBe('<vm type="VirtualMachine">vm-1</vm>');
  });
});

describe('response helpers', () => {
  test('asArray and textOf read single, repeated and attributed elements', () => {
    expect(asArray(undefined)).toEqual([]);
    expect(asArray('x')).toEqual(['x']);
    expect(asArray(['x', 'y'])).toEqual(['x', 'y']);
    expect(textOf({ '#text': 'poweredOn', '@_xsi:type': 'VirtualMachinePowerState' })).toBe('poweredOn');
    expect(textOf(undefined)).toBeUndefined();
  });

  test('faultTypeOf reads the xsi:type, else the element name without its Fault suffix', () => {
    expect(faultTypeOf({ InvalidLoginFault: { '@_xsi:type': 'InvalidLogin' } })).toBe('InvalidLogin');
    expect(faultTypeOf({ NotAuthenticatedFault: '' })).toBe('NotAuthenticated');
    expect(faultTypeOf({ '@_xsi:type': 'vim25:NoDiskSpace' })).toBe('NoDiskSpace');
    expect(faultTypeOf(undefined)).toBe('UnknownFault');
  });
});

describe('untilAborted', () => {
  test('an aborted caller stops waiting while the shared work still resolves for the others', async () => {
    let finish: (value: string) => void = () => undefined;
    const shared = new Promise<string>((resolve) => {
      finish = resolve;
    });
    const controller = new AbortController();
    const aborted = untilAborted(shared, controller.signal);
    const other = untilAborted(shared, new AbortController().signal);
    controller.abort(new Error('caller gave up'));
    finish('placement');
    await expect(aborted).rejects.toThrow('caller gave up');
    await expect(other).resolves.toBe('placement');
  });
});

describe('mapVsphereFault', () => {
  test.each([
    ['InvalidLogin', InvalidProviderConfigError],
    ['NoPermission', InvalidProviderConfigError],
    ['InvalidGuestLogin', InvalidProviderConfigError],
    ['NoDiskSpace', InsufficientCapacityError],
    ['InsufficientResourcesFault', InsufficientCapacityError],
    ['InsufficientHostCapacityFault', InsufficientCapacityError],
    ['NotEnoughLicenses', QuotaExceededError],
    ['InvalidPowerState', ProviderApiError],
  ] as const)('%s maps to its error class', (faultType, errorClass) => {
    const mapped = mapVsphereFault(new VsphereFault({ faultType, message: 'm' }));
    expect(errorClass.isInstance(mapped)).toBe(true);
    expect((mapped as Error).cause).toBeInstanceOf(VsphereFault);
  });

  test('retryability follows the fault type and, for HTTP errors, the status code', () => {
    const retryable = (faultType: string, statusCode?: number) =>
      (
        mapVsphereFault(
          new VsphereFault({ faultType, message: 'm', ...(statusCode ? { statusCode } : {}) }),
        ) as ProviderApiError
      ).isRetryable;
    expect(retryable('TaskInProgress')).toBe(true);
    expect(retryable('TaskTimeout')).toBe(true);
    expect(retryable('InvalidArgument')).toBe(false);
    expect(retryable('HttpError', 503)).toBe(true);
    expect(retryable('HttpError', 404)).toBe(false);
  });
});

describe('VsphereSoapClient against a scripted endpoint', () => {
  test('logs in once, sends the session cookie, and logs in again after NotAuthenticated', async () => {
    let sessions = 0;
    let expired = false;
    const server = await scriptedServer(({ method, cookie }) => {
      if (method === 'RetrieveServiceContent') return { body: serviceContent };
      if (method === 'Login') {
        sessions++;
        return {
          body: envelope('<LoginResponse xmlns="urn:vim25"><returnval><key>k</key></returnval></LoginResponse>'),
          setCookie: `vmware_soap_session="session-${sessions}"; Path=/; HttpOnly`,
        };
      }
      if (cookie === 'vmware_soap_session="session-1"' && expired) {
        return { status: 500, body: fault('NotAuthenticated', 'The session is not authenticated.') };
      }
      return {
        body: envelope(
          '<FindByInventoryPathResponse xmlns="urn:vim25"><returnval type="Datacenter">datacenter-2</returnval></FindByInventoryPathResponse>',
        ),
      };
    });
    const client = new VsphereSoapClient({ url: server.url, username: 'u', password: async () => 'p' });
    const call = { method: 'FindByInventoryPath', thisReference: { type: 'SearchIndex', value: 'SearchIndex' } };
    await Promise.all([client.invoke(call), client.invoke(call)]);
    expect(client.loginCount).toBe(1);
    expired = true;
    const result = await client.invoke(call);
    expect(textOf(result)).toBe('datacenter-2');
    expect(client.loginCount).toBe(2);
    const cookies = server.requests.filter((request) => request.method === 'FindByInventoryPath').map((r) => r.cookie);
    expect(cookies).toEqual([
      'vmware_soap_session="session-1"',
      'vmware_soap_session="session-1"',
      'vmware_soap_session="session-1"',
      'vmware_soap_session="session-2"',
    ]);
  });

  test('a Login without a session cookie, an HTML error page and an unreachable server are ProviderApiErrors', async () => {
    const noCookie = await scriptedServer(({ method }) =>
      method === 'RetrieveServiceContent'
        ? { body: serviceContent }
        : method === 'Login'
          ? { body: envelope('<LoginResponse xmlns="urn:vim25"><returnval/></LoginResponse>') }
          : { status: 502, body: '<html>bad gateway</html>' },
    );
    const client = new VsphereSoapClient({ url: noCookie.url, username: 'u', password: async () => 'p' });
    const call = { method: 'Logout', thisReference: { type: 'SessionManager', value: 'SessionManager' } };
    const loginError = await client.invoke(call).catch((error: unknown) => error);
    expect(ProviderApiError.isInstance(loginError) && loginError.code).toBe('InvalidResponse');

    const unreachable = new VsphereSoapClient({
      url: 'http://127.0.0.1:1/sdk',
      username: 'u',
      password: async () => 'p',
    });
    const networkError = await unreachable.serviceContent().catch((error: unknown) => error);
    expect(ProviderApiError.isInstance(networkError) && networkError.code).toBe('NetworkError');
    expect((networkError as ProviderApiError).isRetryable).toBe(true);
  });

  test('a task that never finishes times out with a retryable TaskTimeout', async () => {
    const server = await scriptedServer(({ method }) => {
      if (method === 'RetrieveServiceContent') return { body: serviceContent };
      if (method === 'Login') {
        return {
          body: envelope('<LoginResponse xmlns="urn:vim25"><returnval/></LoginResponse>'),
          setCookie: 'vmware_soap_session="s"; Path=/',
        };
      }
      return {
        body: envelope(
          '<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="Task">task-1</obj>' +
            '<propSet><name>info.state</name><val xsi:type="TaskInfoState">running</val></propSet>' +
            '</objects></returnval></RetrievePropertiesExResponse>',
        ),
      };
    });
    const client = new VsphereSoapClient({
      url: server.url,
      username: 'u',
      password: async () => 'p',
      taskPollIntervalMs: 1,
    });
    const error = await client
      .waitForTask({ task: { type: 'Task', value: 'task-1' }, timeoutMs: 20 })
      .catch((caught: unknown) => caught);
    expect(ProviderApiError.isInstance(error) && error.code).toBe('TaskTimeout');
    expect((error as ProviderApiError).isRetryable).toBe(true);
    expect((error as Error).message).toContain('still running');
  });

  test('an aborted call rejects with the abort reason', async () => {
    const server = await scriptedServer(() => ({ body: serviceContent }));
    const client = new VsphereSoapClient({ url: server.url, username: 'u', password: async () => 'p' });
    const controller = new AbortController();
    controller.abort(new Error('stop now'));
    const error = await client.serviceContent(controller.signal).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('stop now');
  });
});
