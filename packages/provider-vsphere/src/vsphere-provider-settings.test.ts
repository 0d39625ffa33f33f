import { InvalidProviderConfigError } from '@headroom/core/provider';
import { describe, expect, test } from 'vitest';
import { guestProgramFor } from './guest-program.js';
import { createVsphereProvider } from './vsphere-provider.js';
import { vsphereProviderSettingsSchema } from './vsphere-provider-settings.js';

const minimal = {
  vcenterAddress: 'vcenter.example.com',
  username: 'headroom@vsphere.local',
  password: { env: 'VSPHERE_PASSWORD' },
  templateName: 'ubuntu-24-agent',
  maxInstances: 10,
  datacenter: 'DC1',
  cpus: 4,
  memoryMb: 8192,
};

describe('vsphereProviderSettingsSchema', () => {
  test('fills the defaults', () => {
    expect(vsphereProviderSettingsSchema.parse(minimal)).toMatchObject({
      vcenterPort: 443,
      protocol: 'https',
      osFamily: 'linux',
      startupScriptMethod: 'guestinfo',
      taskTimeoutMs: 600_000,
    });
  });

  test('guest operations need the guest username and password', () => {
    const result = vsphereProviderSettingsSchema.safeParse({ ...minimal, startupScriptMethod: 'guest-operations' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['guestUsername', 'guestPassword']);
  });

  test('unknown fields and bad values are refused, naming the field', () => {
    expect(() => createVsphereProvider({ ...minimal, memoryMb: 0 })).toThrow(InvalidProviderConfigError);
    try {
      createVsphereProvider({ ...minimal, osFamily: 'macos' as 'linux' });
    } catch (error) {
      expect((error as InvalidProviderConfigError).field).toBe('osFamily');
    }
    expect(vsphereProviderSettingsSchema.safeParse({ ...minimal, configOverride: {} }).success).toBe(false);
  });
});

describe('guestProgramFor', () => {
  test('wraps the script for bash and PowerShell so that it decodes back unchanged', () => {
    const script = 'echo \'quoted\' "double" $HOME\nexit 0';
    const linux = guestProgramFor({ osFamily: 'linux', script });
    expect(linux.programPath).toBe('/bin/bash');
    const encoded = /echo ([A-Za-z0-9+/=]+) \|/.exec(linux.arguments)?.[1] ?? '';
    expect(Buffer.from(encoded, 'base64').toString('utf8')).toBe(script);

    const windows = guestProgramFor({ osFamily: 'windows', script });
    expect(windows.programPath).toMatch(/powershell\.exe$/);
    const command = /-EncodedCommand (\S+)$/.exec(windows.arguments)?.[1] ?? '';
    expect(Buffer.from(command, 'base64').toString('utf16le')).toBe(script);
  });

  test('a script longer than the guest command line allows is a config error on startupScript', () => {
    expect(() => guestProgramFor({ osFamily: 'windows', script: 'x'.repeat(20_000) })).toThrow(
      expect.objectContaining({ field: 'startupScript' }),
    );
    expect(guestProgramFor({ osFamily: 'linux', script: 'x'.repeat(20_000) }).arguments.length).toBeGreaterThan(20_000);
  });
});
