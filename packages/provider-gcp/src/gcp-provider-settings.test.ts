import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { readGcpExample } from './__fixtures__/gcp-example-settings.js';
import { gcpDnsProviderSettingsSchema, gcpProviderSettingsSchema } from './gcp-provider-settings.js';

const example = readGcpExample();
const base = example.providers['gcp-east'] as Record<string, unknown>;
const issuesOf = (settings: unknown) =>
  (gcpProviderSettingsSchema.safeParse(settings).error?.issues ?? []).map(
    (issue) => `${issue.path.join('.')}: ${issue.message}`,
  );

describe('gcpProviderSettingsSchema', () => {
  test('accepts every provider and DNS provider of the example, which the README shows verbatim', () => {
    for (const [id, provider] of Object.entries(example.providers)) {
      expect(issuesOf(provider), id).toEqual([]);
    }
    for (const [id, provider] of Object.entries(example.dnsProviders)) {
      expect(gcpDnsProviderSettingsSchema.safeParse(provider).success, id).toBe(true);
    }
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const exampleText = readFileSync(new URL('../../../examples/providers/gcp.yaml', import.meta.url), 'utf8');
    expect(readme).toContain(exampleText.split('\n').slice(2).join('\n'));
  });

  test('applies the defaults', () => {
    const parsed = gcpProviderSettingsSchema.parse({
      region: 'us-east4',
      zone: 'us-east4-b',
      maxInstances: 1,
      machineType: 'e2-standard-2',
      image: 'projects/debian-cloud/global/images/family/debian-12',
    });
    expect(parsed).toMatchObject({
      publicIp: false,
      networkTags: [],
      labels: {},
      metadata: [],
      guestAccelerators: [],
      osType: 'linux',
      operationTimeoutSeconds: 600,
    });
    expect(parsed.startupScriptType).toBeUndefined();
  });

  test('the config override refuses name, labels and metadata by name, and unknown members', () => {
    expect(
      issuesOf({ ...base, configOverride: { name: 'x', labels: {}, metadata: {}, scheduling: {}, machineTyp: 'x' } }),
    ).toEqual([
      'configOverride.name: cannot be overridden: Headroom sets name (use the pool and autoscale ids)',
      'configOverride.labels: cannot be overridden: Headroom sets labels (use the labels setting)',
      'configOverride.metadata: cannot be overridden: Headroom sets metadata (use the metadata setting)',
      'configOverride.machineTyp: is not a member of the Compute Engine Instance resource (REST names, e.g. scheduling, shieldedInstanceConfig)',
    ]);
  });

  test('cross-field rules: zone in region, subnetwork in region, script type matches the OS', () => {
    expect(issuesOf({ ...base, zone: 'us-west1-a' })).toEqual(['zone: must be a zone of region us-east4']);
    expect(issuesOf({ ...base, subnetwork: 'projects/p/regions/us-west1/subnetworks/default' })).toEqual([
      'subnetwork: is in region us-west1, not in region us-east4',
    ]);
    expect(issuesOf({ ...base, osType: 'linux', startupScriptType: 'powershell' })).toEqual([
      'startupScriptType: must be bash on linux (startup-script); powershell scripts run only on windows',
    ]);
    expect(
      issuesOf({
        ...base,
        metadata: [
          { key: 'a', value: '1' },
          { key: 'a', value: '2' },
        ],
      }),
    ).toEqual(['metadata.1.key: repeats key a']);
  });

  test('GCP label rules and reserved keys', () => {
    expect(issuesOf({ ...base, labels: { Team: 'a', 'headroom-x': 'b', ok: 'Upper', fine: 'x_1' } })).toEqual([
      'labels.ok: label values have at most 63 lowercase letters, digits, _ or -',
      'labels.fine: label values starting with "x_" or "h_" are reserved by Headroom (its label encoding)',
      'labels.Team: label keys start with a lowercase letter and have at most 63 lowercase letters, digits, _ or -',
      'labels.headroom-x: label keys starting with "headroom-", "x_" or "h_" are reserved by Headroom',
    ]);
  });

  test('paths and names have the GCP forms', () => {
    expect(
      issuesOf({
        ...base,
        image: 'ubuntu-2204',
        network: 'default',
        customerManagedEncryptionKey: 'my-key',
        serviceAccount: { email: 'someone@example.com' },
        networkTags: ['Bad Tag'],
        project: 'X',
        unknownField: true,
      }),
    ).toEqual([
      'project: must be a project id such as pensive-voice-547511 (6–30 lowercase letters, digits, -)',
      'image: must be an image path such as projects/ubuntu-os-cloud/global/images/ubuntu-2004-focal-v20211212 or …/global/images/family/<family>',
      'customerManagedEncryptionKey: must be a Cloud KMS key path such as projects/p/locations/global/keyRings/r/cryptoKeys/k',
      'network: must be a network path such as projects/my-project/global/networks/default',
      'networkTags.0: must be 1–63 lowercase letters, digits or -, starting with a letter',
      'serviceAccount.email: must be a service account email such as agent@my-project.iam.gserviceaccount.com, or default',
      ': Unrecognized key: "unknownField"',
    ]);
  });
});
