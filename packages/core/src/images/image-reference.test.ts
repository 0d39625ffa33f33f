import { describe, expect, test } from 'vitest';
import { formatImageReference, InvalidImageReferenceError, parseImageReference } from './image-reference.js';

describe('parseImageReference', () => {
  test.each([
    ['nginx', { registry: 'registry-1.docker.io', repository: 'library/nginx', tag: 'latest', digest: undefined }],
    [
      'kasmweb/chrome:1.16.0',
      { registry: 'registry-1.docker.io', repository: 'kasmweb/chrome', tag: '1.16.0', digest: undefined },
    ],
    [
      'docker.io/kasmweb/chrome',
      { registry: 'registry-1.docker.io', repository: 'kasmweb/chrome', tag: 'latest', digest: undefined },
    ],
    [
      '127.0.0.1:5000/team/app:v2',
      { registry: '127.0.0.1:5000', repository: 'team/app', tag: 'v2', digest: undefined },
    ],
    ['localhost/app', { registry: 'localhost', repository: 'app', tag: 'latest', digest: undefined }],
    [
      `ghcr.io/o/app@sha256:${'a'.repeat(64)}`,
      { registry: 'ghcr.io', repository: 'o/app', tag: undefined, digest: `sha256:${'a'.repeat(64)}` },
    ],
  ])('%s', (text, expected) => {
    expect(parseImageReference(text)).toEqual(expected);
  });

  test.each(['', 'UPPER/case', 'app:bad tag', 'app@sha256:short', 'a//b'])('refuses %j', (text) => {
    expect(() => parseImageReference(text)).toThrow(InvalidImageReferenceError);
  });

  test('formats back', () => {
    expect(formatImageReference(parseImageReference('127.0.0.1:5000/team/app:v2'))).toBe('127.0.0.1:5000/team/app:v2');
  });
});
