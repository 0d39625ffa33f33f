import { checkProviderSettings } from '@headroom/core/provider';
import { describe, expect, test } from 'vitest';
import { convertOciConfigOverride, toOciMemberName } from './oci-config-override.js';
import { ociDnsProviderSettingsSchema, ociProviderSettingsSchema } from './oci-provider-settings.js';

const complete = {
  type: 'oci',
  name: 'oci-ashburn',
  userOcid: 'ocid1.user.oc1..aaaaaaaauser',
  tenancyOcid: 'ocid1.tenancy.oc1..aaaaaaaatenancy',
  compartmentOcid: 'ocid1.compartment.oc1..aaaaaaaacompartment',
  region: 'us-ashburn-1',
  fingerprint: '12:34:56:78:9a:bc:de:f0:12:34:56:78:9a:bc:de:f0',
  privateKey: { file: 'oci_api_key.pem' },
  privateKeyPassphrase: { env: 'OCI_KEY_PASSPHRASE' },
  maxInstances: 10,
  availabilityDomains: ['Uocm:US-ASHBURN-AD-1', 'Uocm:US-ASHBURN-AD-2'],
  imageOcid: 'ocid1.image.oc1.iad.aaaaaaaaimage',
  shape: 'VM.Standard.E5.Flex',
  flexOcpus: 2,
  flexMemoryGb: 16,
  burstableBaselinePercent: 50,
  bootVolumeSizeGb: 100,
  bootVolumeVpusPerGb: 20,
  subnetOcid: 'ocid1.subnet.oc1.iad.aaaaaaaasubnet',
  networkSecurityGroupOcids: ['ocid1.networksecuritygroup.oc1.iad.aaaaaaaansg'],
  assignPublicIp: true,
  sshPublicKey: 'ssh-ed25519 AAAAC3Nza ops',
  customTags: { team: 'vdi' },
  startupScript: '#cloud-config\n',
  configOverride: {
    launch_instance_details: {
      instance_options: { OCI_MODEL_NAME: 'InstanceOptions', are_legacy_imds_endpoints_disabled: true },
    },
  },
};

describe('ociProviderSettingsSchema', () => {
  test('accepts every seed field', () => {
    expect(ociProviderSettingsSchema.safeParse(complete).error).toBeUndefined();
  });

  test('reports every bad field by path', () => {
    const issues = checkProviderSettings({
      schema: ociProviderSettingsSchema,
      settings: {
        ...complete,
        userOcid: 'user-1',
        region: 'Ashburn',
        bootVolumeVpusPerGb: 25,
        burstableBaselinePercent: 30,
        availabilityDomains: ['AD-1'],
        customTags: { 'headroom-pool': 'x' },
        configOverride: {
          launch_instance_details: { agent_config: { OCI_MODEL_NAME: 'NoSuchModel' } },
          create_vnic_details: {},
        },
        extra: true,
      },
    });
    expect(issues.map((issue) => issue.path).sort()).toEqual(
      [
        'availabilityDomains[0]',
        'bootVolumeVpusPerGb',
        'burstableBaselinePercent',
        'configOverride.create_vnic_details',
        'configOverride.launch_instance_details.agent_config.OCI_MODEL_NAME',
        'customTags.headroom-pool',
        'extra',
        'region',
        'userOcid',
      ].sort(),
    );
  });

  test('flex shapes need OCPUs; fixed shapes take no flex fields', () => {
    const { flexOcpus: _, ...withoutOcpus } = complete;
    expect(
      checkProviderSettings({ schema: ociProviderSettingsSchema, settings: withoutOcpus }).map((issue) => issue.path),
    ).toEqual(['flexOcpus']);
    const fixed = checkProviderSettings({
      schema: ociProviderSettingsSchema,
      settings: { ...complete, shape: 'VM.Standard2.2' },
    });
    expect(fixed.map((issue) => issue.path).sort()).toEqual(['flexMemoryGb', 'flexOcpus']);
  });

  test('the DNS schema takes the seed DNS fields and an optional zone', () => {
    const { type, name, userOcid, tenancyOcid, compartmentOcid, region, fingerprint, privateKey } = complete;
    expect(
      ociDnsProviderSettingsSchema.safeParse({
        type,
        name,
        userOcid,
        tenancyOcid,
        compartmentOcid,
        region,
        fingerprint,
        privateKey,
        zoneName: 'example.com',
      }).error,
    ).toBeUndefined();
  });
});

describe('OCI config override rules', () => {
  test('snake_case members become the REST names, irregular acronyms included', () => {
    expect(toOciMemberName('memory_in_gbs')).toBe('memoryInGBs');
    expect(toOciMemberName('boot_volume_vpus_per_gb')).toBe('bootVolumeVpusPerGB');
    expect(toOciMemberName('is_ai_enterprise_enabled')).toBe('isAIEnterpriseEnabled');
    expect(toOciMemberName('alreadyCamel')).toBe('alreadyCamel');
  });

  test('a polymorphic model gets its discriminator; map members keep their keys', () => {
    const { launchInstanceDetails, issues } = convertOciConfigOverride({
      launch_instance_details: {
        source_details: { OCI_MODEL_NAME: 'InstanceSourceViaImageDetails', kms_key_id: 'ocid1.key.oc1..k' },
        metadata: { my_key: 'kept' },
      },
    });
    expect(issues).toEqual([]);
    expect(launchInstanceDetails).toEqual({
      sourceDetails: { sourceType: 'image', kmsKeyId: 'ocid1.key.oc1..k' },
      metadata: { my_key: 'kept' },
    });
  });
});
