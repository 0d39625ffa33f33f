import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidProviderConfigError } from '@headroom/core/provider';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadOptionalSetting, loadSetting, resolveSecret } from './load-setting.js';

const base = {
  environmentVariableName: 'HEADROOM_TEST_REGION',
  settingName: 'region',
  description: 'AWS region',
  providerId: 'aws',
};

async function rejection(promise: Promise<unknown>): Promise<InvalidProviderConfigError> {
  try {
    await promise;
  } catch (error) {
    if (InvalidProviderConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an InvalidProviderConfigError');
}

describe('loadSetting', () => {
  test('the setting wins over the environment variable', () => {
    expect(
      loadSetting({ ...base, settingValue: 'eu-west-1', environment: { HEADROOM_TEST_REGION: 'us-east-1' } }),
    ).toBe('eu-west-1');
  });

  test('falls back to the environment variable, and treats empty strings as not set', () => {
    expect(loadSetting({ ...base, settingValue: undefined, environment: { HEADROOM_TEST_REGION: 'us-east-1' } })).toBe(
      'us-east-1',
    );
    expect(loadSetting({ ...base, settingValue: '', environment: { HEADROOM_TEST_REGION: 'us-east-2' } })).toBe(
      'us-east-2',
    );
  });

  test('reads process.env at call time by default', () => {
    process.env.HEADROOM_TEST_REGION = 'ap-south-1';
    try {
      expect(loadSetting({ ...base, settingValue: undefined })).toBe('ap-south-1');
    } finally {
      delete process.env.HEADROOM_TEST_REGION;
    }
  });

  test('a missing setting throws an error naming the setting and the variable', () => {
    let thrown: unknown;
    try {
      loadSetting({ ...base, settingValue: undefined, environment: { HEADROOM_TEST_REGION: '' } });
    } catch (error) {
      thrown = error;
    }
    expect(InvalidProviderConfigError.isInstance(thrown)).toBe(true);
    const error = thrown as InvalidProviderConfigError;
    expect(error.field).toBe('region');
    expect(error.providerId).toBe('aws');
    expect(error.message).toBe(
      '[aws] region: AWS region is missing. Pass it as the `region` setting or set the HEADROOM_TEST_REGION environment variable.',
    );
  });

  test('a setting of the wrong type is refused', () => {
    expect(() => loadSetting({ ...base, settingValue: 42 as unknown as string, environment: {} })).toThrow(
      /region: AWS region must be a string/,
    );
  });

  test('loadOptionalSetting returns undefined when nothing is set', () => {
    expect(loadOptionalSetting({ ...base, settingValue: undefined, environment: {} })).toBeUndefined();
    expect(loadOptionalSetting({ ...base, settingValue: undefined, environment: { HEADROOM_TEST_REGION: 'x' } })).toBe(
      'x',
    );
  });
});

describe('resolveSecret', () => {
  const secret = 'hunter2-very-secret';
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'headroom-secret-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  test('returns an inline secret', async () => {
    expect(await resolveSecret({ value: secret, providerId: 'vsphere', field: 'password' })).toBe(secret);
  });

  test('reads an environment variable', async () => {
    expect(
      await resolveSecret({
        value: { env: 'VSPHERE_PASSWORD' },
        providerId: 'vsphere',
        field: 'password',
        environment: { VSPHERE_PASSWORD: secret },
      }),
    ).toBe(secret);
  });

  test('reads a file and drops one trailing newline', async () => {
    const path = join(directory, 'password');
    await writeFile(path, `${secret}\n`);
    expect(await resolveSecret({ value: { file: path }, providerId: 'vsphere', field: 'password' })).toBe(secret);
    await writeFile(path, `${secret}\n\n`);
    expect(await resolveSecret({ value: { file: path }, providerId: 'vsphere', field: 'password' })).toBe(
      `${secret}\n`,
    );
  });

  test('an unset variable names the variable and the field', async () => {
    const error = await rejection(
      resolveSecret({ value: { env: 'NOPE_PASSWORD' }, providerId: 'vsphere', field: 'password', environment: {} }),
    );
    expect(error.field).toBe('password');
    expect(error.message).toBe('[vsphere] password: environment variable NOPE_PASSWORD is not set.');
  });

  test('an unreadable file names the path and the error code, not the content', async () => {
    const path = join(directory, 'missing');
    const error = await rejection(resolveSecret({ value: { file: path }, providerId: 'vsphere', field: 'password' }));
    expect(error.message).toBe(`[vsphere] password: cannot read secret file ${path} (ENOENT).`);
  });

  test('a reader error carrying the content does not leak it into the message', async () => {
    const error = await rejection(
      resolveSecret({
        value: { file: '/secrets/password' },
        providerId: 'vsphere',
        field: 'password',
        readFile: () => {
          throw new Error(`parse failure near ${secret}`);
        },
      }),
    );
    expect(error.message).not.toContain(secret);
    expect(error.message).toContain('/secrets/password');
  });

  test('an empty secret is refused without echoing anything', async () => {
    const error = await rejection(
      resolveSecret({
        value: { env: 'EMPTY' },
        providerId: 'aws',
        field: 'secretAccessKey',
        environment: { EMPTY: '' },
      }),
    );
    expect(error.message).toBe('[aws] secretAccessKey: the secret is empty.');
  });

  test('a malformed secret reference is refused', async () => {
    const error = await rejection(
      resolveSecret({ value: { path: 'x' } as unknown as string, providerId: 'aws', field: 'secretAccessKey' }),
    );
    expect(error.message).toContain('must be a string, { env: NAME } or { file: path }');
  });
});
