#!/usr/bin/env node
import { parseArgs } from 'node:util';
import type { FakeFaultRates } from './fake-faults.js';
import { type FakeCloudServerOptions, startFakeCloudServer } from './start-fake-cloud-server.js';

const usage = `usage: node fake-cloud-server-main.js [--port 0] [--host 127.0.0.1] [--state file.json]
  [--boot-delay-ms N] [--destroy-delay-ms N] [--max-instances N] [--latency-ms N] [--timeout-ms N]
  [--seed N] [--fault-rates '{"throttled":0.1}'] [--dns-zone zone ...]
Prints the server URL as the first line of stdout; stops on SIGTERM or SIGINT.`;

function parseNumber(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`--${name} must be a non-negative number`);
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      state: { type: 'string' },
      'boot-delay-ms': { type: 'string' },
      'destroy-delay-ms': { type: 'string' },
      'max-instances': { type: 'string' },
      'latency-ms': { type: 'string' },
      'timeout-ms': { type: 'string' },
      seed: { type: 'string' },
      'fault-rates': { type: 'string' },
      'dns-zone': { type: 'string', multiple: true },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const numbers = {
    port: parseNumber('port', values.port),
    bootDelayMs: parseNumber('boot-delay-ms', values['boot-delay-ms']),
    destroyDelayMs: parseNumber('destroy-delay-ms', values['destroy-delay-ms']),
    maxInstances: parseNumber('max-instances', values['max-instances']),
    latencyMs: parseNumber('latency-ms', values['latency-ms']),
    timeoutMs: parseNumber('timeout-ms', values['timeout-ms']),
    seed: parseNumber('seed', values.seed),
  };
  const options: FakeCloudServerOptions = { host: values.host };
  for (const [key, value] of Object.entries(numbers)) {
    if (value !== undefined) Object.assign(options, { [key]: value });
  }
  if (values.state) options.statePath = values.state;
  if (values['fault-rates']) options.faultRates = JSON.parse(values['fault-rates']) as FakeFaultRates;
  if (values['dns-zone']) options.dnsZones = values['dns-zone'];

  const server = await startFakeCloudServer(options);
  process.stdout.write(`${server.url}\n`);
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`fake cloud server: ${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
  process.exit(2);
});
