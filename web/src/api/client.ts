/**
 * A thin fetch wrapper for the help desk API: bearer token, JSON in and out,
 * one error type carrying the API's `{ error: { code, message, details } }`.
 * Any 401 drops the token and tells the app to show the sign-in screen.
 */
import type { FieldError } from './types.js';

const TOKEN_KEY = 'helpdesk.token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: FieldError[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let baseUrl = '';
let token: string | null = readStoredToken();
const sessionListeners = new Set<() => void>();

function readStoredToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function configureApi(apiUrl: string): void {
  baseUrl = apiUrl.replace(/\/+$/, '');
}

export function apiBase(): string {
  return baseUrl;
}

export function getToken(): string | null {
  return token;
}

export function setToken(next: string | null): void {
  token = next;
  if (next) expired = false;
  try {
    if (next) sessionStorage.setItem(TOKEN_KEY, next);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage can be unavailable (private mode); the token then lives in memory only.
  }
  for (const listener of sessionListeners) listener();
}

/** Subscribe to sign-in / sign-out (including a 401 from any request). */
export function subscribeSession(listener: () => void): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

let expired = false;

/** True when the last sign-out happened because the server rejected the token (not the user signing out). */
export function sessionExpired(): boolean {
  return expired;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as `If-Match` (optimistic concurrency). */
  ifMatch?: string;
  signal?: AbortSignal;
}

export async function api<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.ifMatch !== undefined) headers['If-Match'] = options.ifMatch;
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(
      0,
      'network_error',
      'Cannot reach the help desk server. Check your connection and try again.',
    );
  }
  const payload = await readJson(response);
  if (response.status === 401 && token) {
    expired = true;
    setToken(null);
  }
  if (!response.ok) throw errorFrom(response, payload);
  return payload as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, signal ? { signal } : {});

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}

export async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function errorFrom(response: Response, payload: unknown): ApiError {
  const error = (payload as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)
    ?.error;
  const message =
    typeof error?.message === 'string' && error.message
      ? error.message
      : `The server answered ${response.status} ${response.statusText}`.trim();
  const code = typeof error?.code === 'string' ? error.code : `http_${response.status}`;
  return new ApiError(response.status, code, message, fieldErrors(error?.details, message));
}

/**
 * Field errors from `details`: the API always sends `[{ field, message }]`.
 * Problems of a whole blueprint definition (its graph) come with the field
 * `definition`; they belong to no single input, so their field is "".
 */
function fieldErrors(details: unknown, message: string): FieldError[] {
  if (!Array.isArray(details)) return [];
  const result: FieldError[] = [];
  for (const d of details as unknown[]) {
    if (typeof d !== 'object' || d === null) continue;
    const item = d as { field?: unknown; message?: unknown };
    if (typeof item.field !== 'string') continue;
    const text = typeof item.message === 'string' && item.message ? item.message : message;
    result.push({ field: item.field === 'definition' ? '' : item.field, message: text });
  }
  return result;
}

/** Build a query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A user-facing message for anything thrown by a request. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return 'Something went wrong';
}
