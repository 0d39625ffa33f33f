import { dirname } from 'node:path';
import { formatImageReference, type HeadroomConfig, parseImageReference, type WorkspaceConfig } from '@headroom/core';
import { backupRepositoryFor, mirrorImage, RegistryError } from '@headroom/registry';
import type { Command } from '../command.js';
import { formatTable } from '../format-table.js';
import { registryClientFor, resolveWorkspaceDigest } from '../images/workspace-registry.js';
import { loadConfigFile } from '../load-config-file.js';
import { parseCommandArguments, requireFlag } from '../parse-command-arguments.js';
import { UsageError } from '../usage-error.js';

/** One workspace's image resolved against its registry: the digest its tag points at now. */
interface Resolution {
  workspace: string;
  image: string;
  digest: string | null;
  pinned: string | null;
  status: string;
  error?: string;
}

const failureText = (error: unknown) => (error instanceof RegistryError ? error.message : String(error));

async function resolveWorkspace(
  workspace: WorkspaceConfig,
  configDirectory: string,
  index: number,
): Promise<Resolution> {
  const reference = parseImageReference(workspace.image);
  const pinned = workspace.digest ?? reference.digest ?? null;
  const base = { workspace: workspace.id, image: formatImageReference(reference), pinned };
  try {
    const digest = await resolveWorkspaceDigest({ workspace, index, configDirectory });
    const status =
      pinned === null
        ? `not pinned: pin it with digest: ${digest}`
        : pinned === digest
          ? 'pinned; the tag still points at the pin'
          : `pinned to ${pinned}; the tag now points at ${digest} (set digest to roll)`;
    return { ...base, digest, status };
  } catch (error) {
    return { ...base, digest: null, status: 'failed', error: failureText(error) };
  }
}

async function mirrorWorkspace(
  workspace: WorkspaceConfig,
  config: HeadroomConfig,
  configDirectory: string,
  index: number,
): Promise<Record<string, unknown>> {
  const mirror = config.imageMirror;
  if (!mirror) throw new UsageError('images mirror: the config has no imageMirror section');
  const reference = parseImageReference(workspace.image);
  const repository = backupRepositoryFor(reference, mirror);
  try {
    const source = await registryClientFor({
      registry: reference.registry,
      credentials: workspace.registry,
      configDirectory,
      field: `workspaces[${index}].registry`,
    });
    const target = await registryClientFor({
      registry: mirror.registry,
      credentials: mirror,
      configDirectory,
      field: 'imageMirror',
    });
    const result = await mirrorImage({
      source: {
        client: source,
        repository: reference.repository,
        reference: reference.digest ?? reference.tag ?? 'latest',
      },
      target: { client: target, repository },
      ...(reference.tag ? { tag: reference.tag } : {}),
    });
    return { workspace: workspace.id, target: `${mirror.registry}/${repository}`, ...result };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return { workspace: workspace.id, target: `${mirror.registry}/${repository}`, error: failureText(error) };
  }
}

export const imagesCommand: Command = {
  name: 'images',
  summary: 'resolve workspace images to digests, or mirror them to the backup registry',
  usage: 'headroom images resolve|mirror --config FILE [--workspace ID] [--json]',
  flags: {
    config: { value: 'FILE', description: 'the YAML config (JSON is YAML too)' },
    workspace: { value: 'ID', description: 'only this workspace (default: every workspace)' },
    json: { description: 'JSON output instead of a table' },
  },
  async run({ argv, stdout }) {
    const [action, ...rest] = argv;
    if (action !== 'resolve' && action !== 'mirror') {
      throw new UsageError(`images: the first argument must be resolve or mirror (got ${action ?? 'nothing'})`);
    }
    const { values } = parseCommandArguments(
      rest,
      { config: { type: 'string' }, workspace: { type: 'string' }, json: { type: 'boolean' } },
      'images',
    );
    const path = requireFlag(values.config, '--config', 'images');
    const config = await loadConfigFile(path);
    const selected = config.workspaces
      .map((workspace, index) => ({ workspace, index }))
      .filter(({ workspace }) => values.workspace === undefined || workspace.id === values.workspace);
    if (selected.length === 0) {
      throw new UsageError(
        values.workspace === undefined
          ? `images: ${path} has no workspaces`
          : `--workspace ${values.workspace}: no such workspace in ${path}`,
      );
    }
    const configDirectory = dirname(path);
    const results: Array<Record<string, unknown>> = [];
    for (const { workspace, index } of selected) {
      results.push(
        action === 'resolve'
          ? { ...(await resolveWorkspace(workspace, configDirectory, index)) }
          : await mirrorWorkspace(workspace, config, configDirectory, index),
      );
    }
    const failed = results.filter((result) => result.error !== undefined).length;
    if (values.json) {
      stdout.write(`${JSON.stringify({ action, workspaces: results }, null, 2)}\n`);
    } else if (action === 'resolve') {
      stdout.write(
        formatTable(
          ['workspace', 'image', 'digest', 'status'],
          results.map((result) => [
            String(result.workspace),
            String(result.image),
            String(result.digest ?? '-'),
            String(result.error ?? result.status),
          ]),
        ),
      );
    } else {
      stdout.write(
        formatTable(
          ['workspace', 'copy', 'digest', 'manifests', 'blobs copied', 'blobs present'],
          results.map((result) =>
            result.error !== undefined
              ? [String(result.workspace), String(result.target), `failed: ${String(result.error)}`, '-', '-', '-']
              : [
                  String(result.workspace),
                  String(result.target),
                  String(result.digest),
                  String(result.manifestsCopied),
                  String(result.blobsCopied),
                  String(result.blobsSkipped),
                ],
          ),
        ),
      );
    }
    return failed > 0 ? 1 : 0;
  },
};
