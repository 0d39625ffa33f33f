import { errors, jwtVerify, SignJWT } from 'jose';

/** Audience of check-in tokens; the issuer is the deployment's `managedBy` value. */
const AUDIENCE = 'headroom-checkin';

export type CheckinRefusal = 'missing' | 'malformed' | 'forged' | 'expired' | 'foreign';

export type CheckinVerification = { ok: true; instanceId: string } | { ok: false; refusal: CheckinRefusal };

/** Issues and verifies the per-instance check-in JWTs (HS256). */
export interface CheckinTokens {
  /** A token bound to `instanceId`, valid for the configured time from `nowMs`. */
  issue(options: { instanceId: string; nowMs: number }): Promise<string>;
  /** Checks signature, expiry and issuer; never throws and never echoes the token. */
  verify(options: { token: string | undefined; nowMs: number }): Promise<CheckinVerification>;
}

export function createCheckinTokens(options: {
  signingKey: string;
  issuer: string;
  validitySeconds: number;
}): CheckinTokens {
  const key = new TextEncoder().encode(options.signingKey);
  return {
    async issue({ instanceId, nowMs }) {
      const issuedAt = Math.floor(nowMs / 1000);
      return new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(instanceId)
        .setIssuer(options.issuer)
        .setAudience(AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + Math.round(options.validitySeconds))
        .sign(key);
    },
    async verify({ token, nowMs }) {
      if (!token) return { ok: false, refusal: 'missing' };
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          audience: AUDIENCE,
          issuer: options.issuer,
          currentDate: new Date(nowMs),
          // Whatever `exp` says, a token is never older than the configured validity.
          maxTokenAge: Math.round(options.validitySeconds),
          requiredClaims: ['sub', 'exp', 'iat'],
        });
        if (typeof payload.sub !== 'string' || payload.sub === '') return { ok: false, refusal: 'malformed' };
        return { ok: true, instanceId: payload.sub };
      } catch (error) {
        if (error instanceof errors.JWTExpired) return { ok: false, refusal: 'expired' };
        if (error instanceof errors.JWSSignatureVerificationFailed) return { ok: false, refusal: 'forged' };
        if (error instanceof errors.JWTClaimValidationFailed) {
          if (error.claim === 'iat' && error.reason === 'check_failed') return { ok: false, refusal: 'expired' };
          return { ok: false, refusal: error.claim === 'iss' || error.claim === 'aud' ? 'foreign' : 'malformed' };
        }
        return { ok: false, refusal: 'malformed' };
      }
    },
  };
}
