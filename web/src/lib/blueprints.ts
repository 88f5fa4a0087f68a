/**
 * Blueprints on the client: what the time limit of a ticket's current state
 * says at a given instant (counts down from `deadlineAt` alone), and the
 * wording shared by the ticket panel, the designer and the dashboards.
 */
import type { BlueprintSummary, RequiredField } from '../api/types.js';
import { fullTime } from './format.js';
import { duration } from './sla.js';

const MINUTE = 60_000;

export interface TimeLeft {
  text: string;
  /** Tooltip: the due time. */
  title: string;
  overdue: boolean;
  /** The state has a time limit at all. */
  limited: boolean;
}

/** "2 h 5 min left", "overdue by 3 min", or "No time limit" for the current state at `now`. */
export function timeLeft(summary: Pick<BlueprintSummary, 'deadlineAt' | 'completed'>, now: number): TimeLeft {
  if (summary.completed || !summary.deadlineAt) {
    return { text: 'No time limit', title: '', overdue: false, limited: false };
  }
  const left = Date.parse(summary.deadlineAt) - now;
  if (left <= 0) {
    return {
      text: `overdue by ${duration(Math.floor(-left / MINUTE))}`,
      title: `Was due ${fullTime(summary.deadlineAt)}`,
      overdue: true,
      limited: true,
    };
  }
  return {
    text: `${duration(Math.ceil(left / MINUTE))} left`,
    title: `Due ${fullTime(summary.deadlineAt)}`,
    overdue: false,
    limited: true,
  };
}

export const FIELD_TYPE_LABEL: Record<RequiredField['type'], string> = {
  text: 'Text',
  number: 'Number',
  date: 'Date',
  checkbox: 'Checkbox',
  picklist: 'Picklist',
};
