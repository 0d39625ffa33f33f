import { generateKeyPairSync } from 'node:crypto';
import { InvalidProviderConfigError } from '@headroom/core/provider';
import { describe, expect, test } from 'vitest';
import { parseGcpServiceAccountKey, resolveGcpClientOptions } from './gcp-setting.js';

const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
  type: 'pkcs8',
  format: 'pem',
}) as string;
const keyJson = JSON.stringify({
  type: 'service_account',
  project_id: 'pensive-voice-547511',
  client_email: 'headroom@pensive-voice-547511.iam.gserviceaccount.com',
  private_key: privateKey,
});

function failure(run: () => unknown): InvalidProviderConfigError {
  try {
    run();
  } catch (error) {
    if (InvalidProviderConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected an InvalidProviderConfigError');
}

describe('service account keys', () => {
  test('a key yields the credentials and its project', () => {
    expect(parseGcpServiceAccountKey(keyJson)).toEqual({
      credentials: { client_email: 'headroom@pensive-voice-547511.iam.gserviceaccount.com', private_key: privateKey },
      projectId: 'pensive-voice-547511',
    });
  });

  test('bad keys are refused naming credentials, never quoting the content', () => {
    const secretText = '{"private_key": "-----BEGIN PRIVATE KEY----- hunter2';
    const notJson = failure(() => parseGcpServiceAccountKey(secretText));
    expect(notJson.field).toBe('credentials');
    expect(notJson.message).not.toContain('hunter2');
    expect(failure(() => parseGcpServiceAccountKey('[]')).message).toMatch(/must be a JSON object/);
    expect(failure(() => parseGcpServiceAccountKey(JSON.stringify({ type: 'authorized_user' }))).message).toMatch(
      /service account key/,
    );
    expect(failure(() => parseGcpServiceAccountKey(JSON.stringify({ client_email: 'a@b' }))).message).toMatch(
      /no PEM private_key/,
    );
  });

  test('the project comes from the setting, else the key, else GOOGLE_CLOUD_PROJECT', async () => {
    const base = { endpoint: undefined, authClient: undefined };
    expect((await resolveGcpClientOptions({ ...base, credentials: keyJson, project: 'other-project' })).projectId).toBe(
      'other-project',
    );
    const fromKey = await resolveGcpClientOptions({ ...base, credentials: keyJson, project: undefined });
    expect(fromKey.projectId).toBe('pensive-voice-547511');
    expect(fromKey.credentials?.client_email).toBe('headroom@pensive-voice-547511.iam.gserviceaccount.com');
    process.env.GOOGLE_CLOUD_PROJECT = 'env-project';
    try {
      expect((await resolveGcpClientOptions({ ...base, credentials: undefined, project: undefined })).projectId).toBe(
        'env-project',
      );
    } finally {
      delete process.env.GOOGLE_CLOUD_PROJECT;
    }
    await expect(resolveGcpClientOptions({ ...base, credentials: undefined, project: undefined })).rejects.toThrow(
      /project: GCP project id is missing/,
    );
  });

  test('credentials from an environment variable are read on use', async () => {
    process.env.HEADROOM_TEST_GCP_KEY = keyJson;
    try {
      const resolved = await resolveGcpClientOptions({
        credentials: { env: 'HEADROOM_TEST_GCP_KEY' },
        project: undefined,
        endpoint: undefined,
        authClient: undefined,
      });
      expect(resolved.projectId).toBe('pensive-voice-547511');
    } finally {
      delete process.env.HEADROOM_TEST_GCP_KEY;
    }
  });
});
