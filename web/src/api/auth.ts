/** Signing in: the local runtime's `/local/login`, or Cognito's USER_PASSWORD_AUTH flow. */
import { ApiError, errorFrom, readJson } from './client.js';
import type { RuntimeConfig } from './types.js';

export async function signIn(config: RuntimeConfig, email: string, password: string): Promise<string> {
  return config.auth.mode === 'cognito'
    ? signInWithCognito(config.auth, email, password)
    : signInLocally(config.apiUrl, email, password);
}

async function signInLocally(apiUrl: string, email: string, password: string): Promise<string> {
  const response = await send(`${apiUrl.replace(/\/+$/, '')}/local/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const payload = await readJson(response);
  if (!response.ok) {
    if (response.status === 401 && !(payload as { error?: unknown } | null)?.error) {
      throw new ApiError(401, 'unauthorized', 'Wrong email or password');
    }
    throw errorFrom(response, payload);
  }
  const token = (payload as { token?: unknown } | null)?.token;
  if (typeof token !== 'string')
    throw new ApiError(500, 'bad_response', 'The sign-in service answered without a token');
  return token;
}

interface CognitoAuth {
  region: string;
  userPoolClientId: string;
}

async function signInWithCognito(auth: CognitoAuth, email: string, password: string): Promise<string> {
  const response = await send(`https://cognito-idp.${auth.region}.amazonaws.com/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth',
    },
    body: JSON.stringify({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: auth.userPoolClientId,
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  });
  const payload = (await readJson(response)) as {
    __type?: string;
    message?: string;
    ChallengeName?: string;
    AuthenticationResult?: { IdToken?: string };
  } | null;
  if (!response.ok) {
    const type = payload?.__type?.split('#').pop() ?? '';
    if (type === 'NotAuthorizedException' || type === 'UserNotFoundException') {
      throw new ApiError(401, 'unauthorized', 'Wrong email or password');
    }
    if (type === 'PasswordResetRequiredException') {
      throw new ApiError(
        401,
        'password_reset_required',
        'Your password must be reset. Ask an administrator.',
      );
    }
    throw new ApiError(response.status, type || 'cognito_error', payload?.message ?? 'Sign-in failed');
  }
  if (payload?.ChallengeName) {
    throw new ApiError(
      401,
      'challenge',
      payload.ChallengeName === 'NEW_PASSWORD_REQUIRED'
        ? 'This account must set a new password first. Use the link in your invitation email.'
        : `Sign-in needs an extra step (${payload.ChallengeName}) that this app does not support yet.`,
    );
  }
  const token = payload?.AuthenticationResult?.IdToken;
  if (!token) throw new ApiError(500, 'bad_response', 'Cognito answered without a token');
  return token;
}

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    throw new ApiError(
      0,
      'network_error',
      'Cannot reach the sign-in service. Check your connection and try again.',
    );
  }
}
