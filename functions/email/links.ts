/**
 * Download links for mail parts on the timeline: attachments, inline images
 * and the raw original each get a short-lived signed link when the timeline
 * is read (S3 presigned URLs on AWS, HMAC-signed local URLs locally). The
 * stored HTML refers to inline images as `/attachments/<id>`; that reference
 * is replaced by the image's link here.
 */
import type { BlobStore } from '../domain/email/ports.js';
import type { Attachment, TimelineEntry } from '../domain/tickets/model.js';

export const LINK_SECONDS = 15 * 60;

export type LinkedEntry = Omit<TimelineEntry, 'attachments'> & {
  /** `url` is absent only where the desk has no file store (no mail configured). */
  attachments?: (Attachment & { url?: string })[];
  rawUrl?: string;
};

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export async function withDownloadLinks(
  entries: TimelineEntry[],
  blobs: BlobStore | undefined,
): Promise<LinkedEntry[]> {
  if (!blobs) return entries;
  return Promise.all(
    entries.map(async (entry): Promise<LinkedEntry> => {
      if (!entry.attachments?.length && !entry.email?.rawKey) return entry;
      const attachments = await Promise.all(
        (entry.attachments ?? []).map(async (a) => ({
          ...a,
          url: await blobs.signedUrl(a.key, {
            filename: a.name,
            contentType: a.contentType,
            expiresInSeconds: LINK_SECONDS,
          }),
        })),
      );
      let html = entry.html ?? null;
      if (html) {
        for (const a of attachments) {
          if (a.inline) html = html.split(`"/attachments/${a.id}"`).join(`"${escapeAttribute(a.url)}"`);
        }
      }
      const rawKey = entry.email?.rawKey;
      const rawUrl = rawKey
        ? await blobs.signedUrl(rawKey, {
            filename: `ticket-message-${entry.id}.eml`,
            contentType: 'message/rfc822',
            expiresInSeconds: LINK_SECONDS,
          })
        : undefined;
      return { ...entry, html, attachments, ...(rawUrl ? { rawUrl } : {}) };
    }),
  );
}
