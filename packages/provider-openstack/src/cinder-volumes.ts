import type { KeystoneSession } from './keystone-session.js';
import { deleteOpenstackResource, readOpenstackResource } from './openstack-resource.js';

/** A Cinder volume as `GET /volumes/{id}` returns it. */
export interface CinderVolume {
  id: string;
  name?: string;
  status: string;
  metadata?: Record<string, string>;
}

/** Creates a bootable volume from an image. */
export async function createCinderVolume(options: {
  session: KeystoneSession;
  name: string;
  sizeGb: number;
  imageId: string;
  volumeType?: string | undefined;
  availabilityZone?: string | undefined;
  metadata: Record<string, string>;
  abortSignal?: AbortSignal | undefined;
}): Promise<CinderVolume> {
  const response = await options.session.request({
    service: 'volume',
    method: 'POST',
    path: '/volumes',
    body: {
      volume: {
        name: options.name,
        size: options.sizeGb,
        imageRef: options.imageId,
        metadata: options.metadata,
        ...(options.volumeType ? { volume_type: options.volumeType } : {}),
        ...(options.availabilityZone ? { availability_zone: options.availabilityZone } : {}),
      },
    },
    abortSignal: options.abortSignal,
  });
  return (response.body as { volume: CinderVolume }).volume;
}

/** One volume, or `undefined` when Cinder answers 404. */
export function getCinderVolume(options: {
  session: KeystoneSession;
  volumeId: string;
  abortSignal?: AbortSignal | undefined;
}): Promise<CinderVolume | undefined> {
  const path = `/volumes/${encodeURIComponent(options.volumeId)}`;
  return readOpenstackResource({ ...options, service: 'volume', path, key: 'volume' });
}

/** Volumes carrying a metadata key with a value (filtered by Cinder, checked again here). */
export async function findCinderVolumes(options: {
  session: KeystoneSession;
  key: string;
  value: string;
  abortSignal?: AbortSignal | undefined;
}): Promise<CinderVolume[]> {
  const query = new URLSearchParams({ metadata: JSON.stringify({ [options.key]: options.value }) });
  const response = await options.session.request({
    service: 'volume',
    method: 'GET',
    path: `/volumes/detail?${query}`,
    abortSignal: options.abortSignal,
  });
  const volumes = (response.body as { volumes?: CinderVolume[] })?.volumes ?? [];
  return volumes.filter((volume) => volume.metadata?.[options.key] === options.value);
}

/** Deletes a volume; `false` when it was already gone (404). */
export function deleteCinderVolume(options: {
  session: KeystoneSession;
  volumeId: string;
  abortSignal?: AbortSignal | undefined;
}): Promise<boolean> {
  const path = `/volumes/${encodeURIComponent(options.volumeId)}`;
  return deleteOpenstackResource({ ...options, service: 'volume', path });
}
