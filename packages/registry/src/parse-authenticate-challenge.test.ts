import { expect, test } from 'vitest';
import { parseAuthenticateChallenge } from './parse-authenticate-challenge.js';

test('parseAuthenticateChallenge reads quoted and bare parameters', () => {
  expect(
    parseAuthenticateChallenge(
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"',
    ),
  ).toEqual({
    scheme: 'bearer',
    parameters: {
      realm: 'https://auth.example.com/token',
      service: 'registry.example.com',
      scope: 'repository:a/b:pull',
    },
  });
  expect(parseAuthenticateChallenge('Basic realm=registry')).toEqual({
    scheme: 'basic',
    parameters: { realm: 'registry' },
  });
  expect(parseAuthenticateChallenge('')).toBeUndefined();
});
