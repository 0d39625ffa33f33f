import { InvalidProviderConfigError } from '@headroom/core/provider';
import { VSPHERE_PROVIDER_ID } from './vsphere-error.js';

/** Longest command line each OS accepts for one program start (Linux: one argument; Windows: the whole line). */
const MAXIMUM_ARGUMENTS_LENGTH = { linux: 131_071, windows: 32_000 } as const;

/** The program `StartProgramInGuest` runs for a startup script. */
export interface GuestProgram {
  programPath: string;
  arguments: string;
}

/**
 * Builds the guest command that runs `script` with bash (Linux) or PowerShell (Windows). The script
 * travels base64-encoded inside the command line, so no file transfer is needed.
 * @throws InvalidProviderConfigError (`startupScript`) when the encoded script exceeds the OS's command-line limit.
 */
export function guestProgramFor({ osFamily, script }: { osFamily: 'linux' | 'windows'; script: string }): GuestProgram {
  const program: GuestProgram =
    osFamily === 'linux'
      ? {
          programPath: '/bin/bash',
          arguments: `-c 'eval "$(echo ${Buffer.from(script, 'utf8').toString('base64')} | base64 -d)"'`,
        }
      : {
          programPath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
          arguments: `-NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${Buffer.from(script, 'utf16le').toString('base64')}`,
        };
  if (program.arguments.length > MAXIMUM_ARGUMENTS_LENGTH[osFamily]) {
    throw new InvalidProviderConfigError({
      providerId: VSPHERE_PROVIDER_ID,
      field: 'startupScript',
      message: `the encoded script needs ${program.arguments.length} characters of command line; ${osFamily} guests accept ${MAXIMUM_ARGUMENTS_LENGTH[osFamily]} (use startupScriptMethod "guestinfo" or a shorter script)`,
    });
  }
  return program;
}
