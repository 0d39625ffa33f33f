import { OAuth2Client } from 'google-auth-library';

/** An auth client holding a preset access token: the SDKs send it as `Bearer <token>`, nothing is fetched. */
export function createFakeGcpAuthClient(accessToken: string): OAuth2Client {
  const authClient = new OAuth2Client();
  authClient.setCredentials({ access_token: accessToken, expiry_date: Date.now() + 3_600_000 });
  return authClient;
}
