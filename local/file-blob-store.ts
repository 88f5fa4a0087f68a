/**
 * The local stand-in for the mail bucket: objects are files under the data
 * folder, and "presigned" links are URLs of the local server carrying an
 * expiry and an HMAC, checked by `verifySignedPath` before a file is served.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, resolve } from 'node:path';
import type { BlobStore } from '../functions/domain/email/ports.js';

export const FILES_PATH = '/local/files/';

export class FileBlobStore implements BlobStore {
  readonly root: string;

  constructor(
    root: string,
    private readonly secret: Uint8Array,
    private readonly baseUrl: () => string,
  ) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    const path = normalize(join(this.root, key));
    if (!path.startsWith(this.root)) throw new Error(`blob key escapes the store: ${key}`);
    return path;
  }

  async put(key: string, body: Uint8Array, _contentType: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async signedUrl(
    key: string,
    options: { filename: string; contentType: string; expiresInSeconds: number },
  ): Promise<string> {
    const expires = Math.floor(Date.now() / 1000) + options.expiresInSeconds;
    const query = new URLSearchParams({
      name: options.filename,
      type: options.contentType,
      expires: String(expires),
    });
    query.set('sig', this.signature(key, query));
    const path = key.split('/').map(encodeURIComponent).join('/');
    return `${this.baseUrl()}${FILES_PATH}${path}?${query.toString()}`;
  }

  private signature(key: string, query: URLSearchParams): string {
    const payload = [key, query.get('name'), query.get('type'), query.get('expires')].join('\n');
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }

  /** The object a signed local URL names, or why it may not be served. */
  verifySignedPath(
    key: string,
    query: URLSearchParams,
    now = Date.now(),
  ): { ok: true; name: string; type: string } | { ok: false; status: 403 | 410; reason: string } {
    const sig = query.get('sig') ?? '';
    const expected = this.signature(key, query);
    const a = Buffer.from(sig);
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      return { ok: false, status: 403, reason: 'This link is not valid.' };
    }
    if (Number(query.get('expires')) * 1000 < now) {
      return {
        ok: false,
        status: 410,
        reason: 'This link has expired; open the ticket again for a fresh one.',
      };
    }
    return {
      ok: true,
      name: query.get('name') ?? 'file',
      type: query.get('type') ?? 'application/octet-stream',
    };
  }
}
