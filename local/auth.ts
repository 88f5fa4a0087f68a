/**
 * Local sign-in, standing in for Cognito: agents' passwords are scrypt hashes
 * in the table, and tokens are HS256 JWTs with the same claims Cognito's ID
 * tokens carry (`sub`, `email`, `cognito:groups`), verified by the local
 * server the way API Gateway's JWT authorizer verifies Cognito's on AWS.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { jwtVerify, SignJWT } from 'jose';
import type { Agent } from '../functions/domain/agents/model.js';

const scrypt = promisify(scryptCallback) as (
  password: string,
  salt: Buffer,
  keylen: number,
) => Promise<Buffer>;

export const LOCAL_ISSUER = 'helpdesk-local';
export const LOCAL_AUDIENCE = 'helpdesk-spa';
const TOKEN_LIFETIME = '12h';

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, saltText, hashText] = stored.split('$');
  if (scheme !== 'scrypt' || !saltText || !hashText) return false;
  const expected = Buffer.from(hashText, 'base64url');
  const actual = await scrypt(password, Buffer.from(saltText, 'base64url'), expected.length);
  return timingSafeEqual(actual, expected);
}

export async function issueToken(agent: Agent, secret: Uint8Array): Promise<string> {
  return new SignJWT({
    email: agent.email,
    'cognito:groups': [agent.role],
    name: agent.name,
    token_use: 'id',
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(agent.id)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(TOKEN_LIFETIME)
    .sign(secret);
}

/** The verified claims of a bearer token, or null when it is missing, expired or forged. */
export async function verifyToken(
  authorization: string | undefined,
  secret: Uint8Array,
): Promise<Record<string, unknown> | null> {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match) return null;
  try {
    const { payload } = await jwtVerify(match[1]!, secret, {
      issuer: LOCAL_ISSUER,
      audience: LOCAL_AUDIENCE,
      algorithms: ['HS256'],
    });
    return payload as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * A verifier that remembers tokens it verified until they expire, as API
 * Gateway's JWT authorizer caches its keys: a signed token cannot change, so
 * re-checking its signature on every request is wasted work. Bounded in size.
 */
export function cachingVerifier(secret: Uint8Array, maxEntries = 1000) {
  const verified = new Map<string, Record<string, unknown>>();
  return async (authorization: string | undefined): Promise<Record<string, unknown> | null> => {
    const key = authorization ?? '';
    const hit = verified.get(key);
    if (hit && typeof hit.exp === 'number' && hit.exp * 1000 > Date.now()) return hit;
    verified.delete(key);
    const claims = await verifyToken(authorization, secret);
    if (claims) {
      if (verified.size >= maxEntries) verified.delete(verified.keys().next().value as string);
      verified.set(key, claims);
    }
    return claims;
  };
}
