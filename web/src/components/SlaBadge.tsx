import type { AppliedSlaTarget } from '../api/types.js';
import { badgeState } from '../lib/sla.js';

/** "due in 12 min", "overdue by 3 min", "met", "paused — 2 h left"; the due time in the tooltip. */
export function SlaBadge({ target, now }: { target: AppliedSlaTarget; now: number }) {
  const state = badgeState(target, now);
  return (
    <span
      className={`badge sla-badge sla-${state.tone}`}
      title={state.title}
      data-sla-kind={target.kind}
      data-sla-tone={state.tone}
    >
      {state.text}
    </span>
  );
}
