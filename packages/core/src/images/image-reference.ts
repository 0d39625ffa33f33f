/** A parsed image reference: `registry.example.com:5000/team/app:1.2@sha256:…`. */
export interface ImageReference {
  /** Registry host[:port]; `registry-1.docker.io` for Docker Hub names. */
  registry: string;
  /** Repository path in the registry (`library/nginx` for `nginx`). */
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

const DOCKER_HUB = 'registry-1.docker.io';
const digestPattern = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const tagPattern = /^[\w][\w.-]{0,127}$/;
const repositoryComponent = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Thrown for a reference that is not a valid image name; the message names the part. */
export class InvalidImageReferenceError extends Error {
  constructor(
    readonly reference: string,
    reason: string,
  ) {
    super(`invalid image reference "${reference}": ${reason}`);
    this.name = 'InvalidImageReferenceError';
  }
}

/**
 * Parses an image reference the way `docker pull` does: a first component with a `.` or `:` or
 * equal to `localhost` is the registry; Docker Hub names get `library/` when they have no
 * namespace; the tag defaults to `latest` unless a digest is given.
 * @throws InvalidImageReferenceError
 */
export function parseImageReference(reference: string): ImageReference {
  if (reference.length === 0 || reference.length > 512) throw new InvalidImageReferenceError(reference, 'length');
  let rest = reference;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!digestPattern.test(digest)) throw new InvalidImageReferenceError(reference, 'malformed digest');
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) throw new InvalidImageReferenceError(reference, 'malformed tag');
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
  }
  if (registry === 'docker.io' || registry === 'index.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  if (parts.length === 0 || !parts.every((part) => repositoryComponent.test(part))) {
    throw new InvalidImageReferenceError(reference, 'repository must be lowercase path components');
  }
  return { registry, repository: parts.join('/'), tag: tag ?? (digest ? undefined : 'latest'), digest };
}

/** Formats a reference back (`registry/repository:tag@digest`). */
export function formatImageReference(reference: ImageReference): string {
  return `${reference.registry}/${reference.repository}${reference.tag ? `:${reference.tag}` : ''}${reference.digest ? `@${reference.digest}` : ''}`;
}

/** Where a backup copy lives: a registry and a repository prefix under which source paths are kept. */
export interface BackupLocation {
  registry: string;
  /** Repository prefix (`mirror`); may be empty. */
  repositoryPrefix: string;
}

/**
 * The backup repository of a source image: the prefix, the source registry host (Docker Hub as
 * `docker.io`) and the source repository, so that two sources never collide
 * (`mirror/ghcr.io/team/app` and `mirror/docker.io/team/app` stay apart).
 */
export function backupRepositoryFor(source: ImageReference, backup: BackupLocation): string {
  const host = source.registry === DOCKER_HUB ? 'docker.io' : source.registry;
  const sourcePath = `${host.toLowerCase().replace(/:/g, '-')}/${source.repository}`;
  const prefix = backup.repositoryPrefix.replace(/^\/+|\/+$/g, '');
  return prefix ? `${prefix}/${sourcePath}` : sourcePath;
}

/** The backup copy of `source` (same tag and digest) in the backup registry. */
export function backupImageFor(source: ImageReference, backup: BackupLocation): ImageReference {
  return { ...source, registry: backup.registry, repository: backupRepositoryFor(source, backup) };
}
