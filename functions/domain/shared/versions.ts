/**
 * The version a settings save is checked against, from the request's
 * If-Match and the stored item:
 * - If-Match "0" (the ETag of something not created yet): create only — the
 *   save fails if the item exists meanwhile (null = must not exist);
 * - another If-Match: that version (412 when stale);
 * - no If-Match: the version just read (the save still fails if someone else
 *   saves between that read and this write), or create when there is none.
 */
export function expectedVersionFor(ifMatch: number | null, stored: number | undefined): number | null {
  if (ifMatch === 0) return null;
  return ifMatch ?? stored ?? null;
}
