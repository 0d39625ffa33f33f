export {
  type BackupLocation,
  backupImageFor,
  backupRepositoryFor,
  formatImageReference,
  type ImageReference,
  InvalidImageReferenceError,
  parseImageReference,
} from '@headroom/core';
export * from './mirror-image.js';
export * from './parse-authenticate-challenge.js';
export * from './registry-client.js';
export * from './registry-error.js';

export const VERSION = '0.1.0';
