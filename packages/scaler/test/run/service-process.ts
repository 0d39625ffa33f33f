import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, repositoryRoot } from '../run-cli.js';
import type { RecordedResponse } from './openapi-responses.js';

/** One JSON log line of `headroom run`. */
export type LogEntry = Record<string, unknown> & { msg: string; level: string };

const everyProcess = new Set<ServiceProcess>();
/** Every line any process of this test file wrote (stdout and stderr), for the secret check. */
export const allOutput: string[] = [];
/** Every JSON answer any process of this test file gave, for the OpenAPI check. */
export const allResponses: RecordedResponse[] = [];

const temporaryDirectories: string[] = [];

export function temporaryDirectory(prefix: string): string {
  const directory = mkdtempSync(join(tmpdir(), `headroom-${prefix}-`));
  temporaryDirectories.push(directory);
  return directory;
}

export function writeFile(directory: string, name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

/** Polls `check` every 100 ms until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  description: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `timed out waiting for ${description}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`,
  );
}

/** A `headroom run` (or other command) child process with its parsed logs. */
export class ServiceProcess {
  readonly child: ChildProcess;
  readonly logs: LogEntry[] = [];
  stdout = '';
  stderr = '';
  exitCode: number | null | undefined = undefined;
  readonly exited: Promise<number | null>;
  baseUrl = '';

  constructor(args: string[], options: { env?: Record<string, string> } = {}) {
    this.child = spawn(process.execPath, [cliPath, ...args], {
      cwd: repositoryRoot,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    everyProcess.add(this);
    let partial = '';
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stdout += chunk;
      allOutput.push(chunk);
      partial += chunk;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        try {
          this.logs.push(JSON.parse(line) as LogEntry);
        } catch {
          // Not a log line.
        }
      }
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
      allOutput.push(chunk);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code) => {
        this.exitCode = code;
        everyProcess.delete(this);
        resolve(code);
      });
    });
  }

  /** Waits for the "started" log line and records the API address. */
  async started(timeoutMs = 30_000): Promise<this> {
    const entry = await waitFor(
      'headroom run to start',
      () => {
        if (this.exitCode !== undefined) throw new Error(`exited with ${this.exitCode}: ${this.stderr}`);
        return this.logs.find((log) => log.msg === 'headroom run started');
      },
      timeoutMs,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\nstdout:\n${this.stdout}\nstderr:\n${this.stderr}`);
    });
    this.baseUrl = String(entry.api);
    return this;
  }

  log(message: string): LogEntry | undefined {
    return this.logs.find((entry) => entry.msg === message);
  }

  /** Calls the API; `body` is the parsed JSON, typed loosely since the tests probe its shape. */
  async request(
    path: string,
    options: { method?: string; token?: string; body?: unknown } = {},
    // biome-ignore lint/suspicious/noExplicitAny: the JSON answers are checked by assertions, not types
  ): Promise<{ status: number; body: any; text: string }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method: options.method ?? 'GET',
      headers: {
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    allResponses.push({ method: options.method ?? 'GET', path, status: response.status, body });
    return { status: response.status, body, text };
  }

  /** A metric's value from /metrics (`name{labels}` as written), or undefined. */
  async metric(series: string, token?: string): Promise<number | undefined> {
    const { text } = await this.request('/metrics', token ? { token } : {});
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  }

  signal(name: NodeJS.Signals): void {
    if (this.exitCode === undefined) this.child.kill(name);
  }
}

/** Kills every process still running and removes the temporary directories (for afterAll). */
export async function killAll(): Promise<void> {
  const running = [...everyProcess];
  for (const process of running) process.signal('SIGKILL');
  await Promise.all(running.map((process) => process.exited));
  for (const directory of temporaryDirectories.splice(0)) rmSync(directory, { recursive: true, force: true });
}
