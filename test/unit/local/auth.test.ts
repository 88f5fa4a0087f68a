import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Agent } from '../../../functions/domain/agents/model.js';
import {
  cachingVerifier,
  hashPassword,
  issueToken,
  verifyPassword,
  verifyToken,
} from '../../../local/auth.js';

const agent: Agent = {
  id: 'a1',
  email: 'a@x.test',
  name: 'Ana',
  role: 'supervisor',
  departmentIds: [],
  teamIds: [],
  active: true,
  availability: 'online',
  capacity: 20,
  skills: [],
  updatedBy: null,
  version: 1,
  createdAt: '',
  updatedAt: '',
};
const secret = randomBytes(32);

describe('local sign-in', () => {
  it('verifies scrypt hashes and refuses other passwords', async () => {
    const hash = await hashPassword('demo');
    expect(hash).not.toContain('demo');
    await expect(verifyPassword('demo', hash)).resolves.toBe(true);
    await expect(verifyPassword('Demo', hash)).resolves.toBe(false);
    await expect(verifyPassword('demo', 'garbage')).resolves.toBe(false);
  });

  it('issues tokens with Cognito-shaped claims and refuses forged, foreign or expired ones', async () => {
    const token = await issueToken(agent, secret);
    const claims = await verifyToken(`Bearer ${token}`, secret);
    expect(claims).toMatchObject({ sub: 'a1', email: 'a@x.test', 'cognito:groups': ['supervisor'] });
    expect(await verifyToken(`Bearer ${token}`, randomBytes(32))).toBeNull();
    expect(await verifyToken(token, secret)).toBeNull();
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('a1')
      .setIssuer('helpdesk-local')
      .setAudience('helpdesk-spa')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(secret);
    expect(await verifyToken(`Bearer ${expired}`, secret)).toBeNull();
  });

  it('the caching verifier answers like the plain one and never caches a refusal', async () => {
    const verify = cachingVerifier(secret, 2);
    const token = `Bearer ${await issueToken(agent, secret)}`;
    expect(await verify(token)).toMatchObject({ sub: 'a1' });
    expect(await verify(token)).toMatchObject({ sub: 'a1' });
    expect(await verify('Bearer nope')).toBeNull();
    expect(await verify(undefined)).toBeNull();
  });
});
