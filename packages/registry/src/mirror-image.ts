import { INDEX_MEDIA_TYPES, type RegistryClient } from './registry-client.js';

export interface MirrorResult {
  /** Digest of the top manifest (the index of a multi-arch image). */
  digest: string;
  manifestsCopied: number;
  blobsCopied: number;
  /** Blobs the backup already had. */
  blobsSkipped: number;
}

interface ManifestJson {
  manifests?: Array<{ digest: string }>;
  config?: { digest: string };
  layers?: Array<{ digest: string }>;
}

/**
 * Copies an image, with every platform of a multi-arch index, from one registry to another:
 * blobs first (skipping those already there), then child manifests, then the index, byte for byte
 * so that digests stay the same; finally the tag.
 */
export async function mirrorImage(options: {
  source: { client: RegistryClient; repository: string; reference: string };
  target: { client: RegistryClient; repository: string };
  /** Tag to set on the copy. Default: the source reference when it is a tag. */
  tag?: string;
  abortSignal?: AbortSignal;
}): Promise<MirrorResult> {
  const { source, target, abortSignal } = options;
  const signal = abortSignal ? { abortSignal } : {};
  const result = { manifestsCopied: 0, blobsCopied: 0, blobsSkipped: 0 };

  const copyBlob = async (digest: string) => {
    if (await target.client.hasBlob({ repository: target.repository, digest, ...signal })) {
      result.blobsSkipped += 1;
      return;
    }
    const bytes = await source.client.getBlob({ repository: source.repository, digest, ...signal });
    await target.client.putBlob({ repository: target.repository, digest, bytes, ...signal });
    result.blobsCopied += 1;
  };

  const copyManifest = async (reference: string): Promise<string> => {
    const manifest = await source.client.getManifest({ repository: source.repository, reference, ...signal });
    const parsed = JSON.parse(manifest.bytes.toString('utf8')) as ManifestJson;
    if (INDEX_MEDIA_TYPES.has(manifest.mediaType) || parsed.manifests) {
      for (const child of parsed.manifests ?? []) await copyManifest(child.digest);
    } else {
      for (const blob of [parsed.config, ...(parsed.layers ?? [])]) if (blob) await copyBlob(blob.digest);
    }
    await target.client.putManifest({ repository: target.repository, reference: manifest.digest, manifest, ...signal });
    result.manifestsCopied += 1;
    return manifest.digest;
  };

  const digest = await copyManifest(source.reference);
  const tag = options.tag ?? (source.reference.includes(':') ? undefined : source.reference);
  if (tag) {
    const top = await target.client.getManifest({ repository: target.repository, reference: digest, ...signal });
    await target.client.putManifest({ repository: target.repository, reference: tag, manifest: top, ...signal });
  }
  return { digest, ...result };
}
