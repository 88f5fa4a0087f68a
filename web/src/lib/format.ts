import type { Channel, Priority, TicketStatus } from '../api/types.js';

export { PRIORITIES, TICKET_STATUSES as STATUSES } from '../../../functions/domain/tickets/status.js';

export const STATUS_LABEL: Record<TicketStatus, string> = {
  new: 'New',
  open: 'Open',
  pending: 'Pending',
  on_hold: 'On hold',
  solved: 'Solved',
  closed: 'Closed',
};

export const PRIORITY_LABEL: Record<Priority, string> = {
  low: 'Low',
  normal: 'Normal',
  high: 'High',
  urgent: 'Urgent',
};

export const CHANNEL_LABEL: Record<Channel, string> = {
  email: 'Email',
  web: 'Web form',
  chat: 'Chat',
  phone: 'Phone',
  social: 'Social',
  api: 'API',
};

export { canMoveStatus } from '../../../functions/domain/tickets/status.js';

export function ticketNumber(number: number): string {
  return `#${number}`;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const shortDate = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const shortDateYear = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });

/** "just now", "5 min. ago", "3 hr. ago", "yesterday", then a date. */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '';
  const seconds = Math.round((then - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
  if (abs < 7 * 86_400) return relative.format(Math.round(seconds / 86_400), 'day');
  const date = new Date(then);
  return date.getFullYear() === new Date(now).getFullYear()
    ? shortDate.format(date)
    : shortDateYear.format(date);
}

export function fullTime(iso: string): string {
  const then = Date.parse(iso);
  return Number.isNaN(then) ? iso : dateTime.format(new Date(then));
}

export function initials(name: string | null | undefined): string {
  const words = (name ?? '')
    .trim()
    .split(/[\s@._-]+/)
    .filter(Boolean);
  const letters =
    words.length > 1 ? `${words[0]![0]}${words[words.length - 1]![0]}` : (words[0]?.slice(0, 2) ?? '?');
  return letters.toUpperCase();
}

/** A stable hue per person, for avatars. */
export function hueOf(key: string): number {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) | 0;
  return Math.abs(hash) % 360;
}

const sizeNumber = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** "512 B", "4.2 KB", "1.3 MB" (1 KB = 1024 bytes, as file managers show). */
export function fileSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${sizeNumber.format(value >= 10 ? Math.round(value) : value)} ${units[unit]}`;
}
