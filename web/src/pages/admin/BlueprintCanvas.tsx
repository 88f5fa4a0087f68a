/**
 * The blueprint designer's canvas: states as boxes, transitions as arrows
 * with their names. Drag a box to move it; drag from a box's connector (the
 * dot on its right edge) onto another box to add a transition; click (or
 * focus and press Enter) a box or an arrow's name to edit it. With the
 * keyboard, arrow keys move the focused box (Shift: further). The form next
 * to the canvas adds transitions without a pointer.
 */
import { type KeyboardEvent, type PointerEvent, useId, useRef, useState } from 'react';
import type { TicketStatus } from '../../api/types.js';
import { STATUS_LABEL } from '../../lib/format.js';

export const BOX_WIDTH = 148;
export const BOX_HEIGHT = 58;
export const PAD = 48;
const GAP_X = 124;
const GAP_Y = 50;
/** Parallel arrows between the same two states bend apart by this much. */
const BEND = 44;
const CONNECTOR_RADIUS = 7;

export interface Point {
  x: number;
  y: number;
}

export type Layout = Record<number, Point>;

export interface CanvasState {
  key: number;
  id: string;
  name: string;
  status: TicketStatus;
  final: boolean;
  start: boolean;
  invalid: boolean;
}

export interface CanvasTransition {
  key: number;
  name: string;
  from: number;
  to: number;
  invalid: boolean;
}

export type Selection = { kind: 'state'; key: number } | { kind: 'transition'; key: number } | null;

/**
 * Columns by distance from the start state (breadth first along the
 * transitions), one row per state in a column; states the start does not
 * reach go in a last column.
 */
export function autoLayout(
  states: readonly { key: number }[],
  transitions: readonly { from: number; to: number }[],
  startKey: number | null,
): Layout {
  const column = new Map<number, number>();
  if (startKey !== null && states.some((s) => s.key === startKey)) {
    column.set(startKey, 0);
    const queue = [startKey];
    for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
      for (const t of transitions) {
        if (t.from === key && !column.has(t.to) && states.some((s) => s.key === t.to)) {
          column.set(t.to, (column.get(key) ?? 0) + 1);
          queue.push(t.to);
        }
      }
    }
  }
  const last = Math.max(-1, ...column.values()) + 1;
  const rows = new Map<number, number>();
  const layout: Layout = {};
  for (const s of states) {
    const col = column.get(s.key) ?? last;
    const row = rows.get(col) ?? 0;
    rows.set(col, row + 1);
    layout[s.key] = { x: PAD + col * (BOX_WIDTH + GAP_X), y: PAD + row * (BOX_HEIGHT + GAP_Y) };
  }
  return layout;
}

/** A free spot for a new box: right of `near` (or the top left), moved down until nothing overlaps. */
export function freeSpot(layout: Layout, near: Point | undefined): Point {
  const taken = Object.values(layout);
  const overlaps = (p: Point) =>
    taken.some((q) => Math.abs(q.x - p.x) < BOX_WIDTH + 16 && Math.abs(q.y - p.y) < BOX_HEIGHT + 16);
  const spot = near ? { x: near.x + BOX_WIDTH + GAP_X, y: near.y } : { x: PAD, y: PAD };
  while (overlaps(spot)) spot.y += BOX_HEIGHT + GAP_Y;
  return spot;
}

const center = (p: Point): Point => ({ x: p.x + BOX_WIDTH / 2, y: p.y + BOX_HEIGHT / 2 });

/** Where the line from a box's centre towards `toward` leaves the box. */
function boxExit(box: Point, toward: Point, margin = 0): Point {
  const c = center(box);
  const dx = toward.x - c.x;
  const dy = toward.y - c.y;
  if (dx === 0 && dy === 0) return c;
  const hw = BOX_WIDTH / 2 + margin;
  const hh = BOX_HEIGHT / 2 + margin;
  const t = Math.min(dx === 0 ? Infinity : hw / Math.abs(dx), dy === 0 ? Infinity : hh / Math.abs(dy));
  return { x: c.x + dx * t, y: c.y + dy * t };
}

interface EdgeGeometry {
  d: string;
  label: Point;
}

function edgeGeometry(from: Point, to: Point, bend: Point | null): EdgeGeometry {
  if (from === to) {
    // A transition back into the same state: a loop above the box.
    const left = from.x + BOX_WIDTH * 0.3;
    const right = from.x + BOX_WIDTH * 0.7;
    const top = from.y - 42;
    return {
      d: `M ${left} ${from.y} C ${left} ${top} ${right} ${top} ${right} ${from.y - 2}`,
      label: { x: from.x + BOX_WIDTH / 2, y: top + 6 },
    };
  }
  const a = center(from);
  const b = center(to);
  const control = bend ?? { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
  const start = boxExit(from, control);
  const end = boxExit(to, control, 2);
  return {
    d: `M ${start.x} ${start.y} Q ${control.x} ${control.y} ${end.x} ${end.y}`,
    label: {
      x: 0.25 * start.x + 0.5 * control.x + 0.25 * end.x,
      y: 0.25 * start.y + 0.5 * control.y + 0.25 * end.y,
    },
  };
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

type Drag =
  | { kind: 'move'; key: number; offset: Point; origin: Point; moved: boolean }
  | { kind: 'connect'; from: number; at: Point; over: number | null };

export function BlueprintCanvas({
  states,
  transitions,
  layout,
  selection,
  onSelect,
  onMove,
  onMoveEnd,
  onConnect,
  describedBy,
  fit = false,
}: {
  states: CanvasState[];
  transitions: CanvasTransition[];
  layout: Layout;
  selection: Selection;
  onSelect(selection: Selection): void;
  onMove(key: number, to: Point): void;
  onMoveEnd(): void;
  onConnect(from: number, to: number): void;
  describedBy?: string;
  /** Scale the canvas down to the width available rather than scroll. */
  fit?: boolean;
}) {
  const uid = useId().replace(/[^A-Za-z0-9_-]/g, '');
  const svgRef = useRef<SVGSVGElement>(null);
  const drag = useRef<Drag | null>(null);
  const [connecting, setConnecting] = useState<Extract<Drag, { kind: 'connect' }> | null>(null);

  const positions = states.map((s) => layout[s.key] ?? { x: PAD, y: PAD });
  const width = Math.max(720, ...positions.map((p) => p.x + BOX_WIDTH + PAD));
  const height = Math.max(280, ...positions.map((p) => p.y + BOX_HEIGHT + PAD));
  const posOf = (key: number): Point | undefined => layout[key];

  /** A pointer position in canvas units (the canvas may be scaled to fit). */
  const pointOf = (event: { clientX: number; clientY: number }): Point => {
    const rect = svgRef.current?.getBoundingClientRect();
    if (!rect || rect.width === 0) return { x: 0, y: 0 };
    const scale = width / rect.width;
    return { x: (event.clientX - rect.left) * scale, y: (event.clientY - rect.top) * scale };
  };

  const stateAt = (p: Point): number | null => {
    for (const s of [...states].reverse()) {
      const q = layout[s.key];
      if (q && p.x >= q.x && p.x <= q.x + BOX_WIDTH && p.y >= q.y && p.y <= q.y + BOX_HEIGHT) return s.key;
    }
    return null;
  };

  const startMove = (event: PointerEvent<SVGGElement>, key: number) => {
    if (event.button !== 0) return;
    const p = pointOf(event);
    const at = posOf(key) ?? p;
    svgRef.current?.setPointerCapture(event.pointerId);
    drag.current = { kind: 'move', key, offset: { x: p.x - at.x, y: p.y - at.y }, origin: p, moved: false };
  };

  const startConnect = (event: PointerEvent<SVGCircleElement>, key: number) => {
    if (event.button !== 0) return;
    event.stopPropagation();
    event.preventDefault();
    const p = pointOf(event);
    svgRef.current?.setPointerCapture(event.pointerId);
    const next = { kind: 'connect' as const, from: key, at: p, over: null };
    drag.current = next;
    setConnecting(next);
  };

  const onPointerMove = (event: PointerEvent<SVGSVGElement>) => {
    const current = drag.current;
    if (!current) return;
    const p = pointOf(event);
    if (current.kind === 'move') {
      if (!current.moved && Math.hypot(p.x - current.origin.x, p.y - current.origin.y) < 4) return;
      current.moved = true;
      onMove(current.key, {
        x: Math.max(8, Math.round(p.x - current.offset.x)),
        y: Math.max(24, Math.round(p.y - current.offset.y)),
      });
    } else {
      const over = stateAt(p);
      const next = { ...current, at: p, over: over === current.from ? null : over };
      drag.current = next;
      setConnecting(next);
    }
  };

  const finish = (event: PointerEvent<SVGSVGElement>, cancelled: boolean) => {
    const current = drag.current;
    drag.current = null;
    setConnecting(null);
    if (svgRef.current?.hasPointerCapture(event.pointerId))
      svgRef.current.releasePointerCapture(event.pointerId);
    if (!current || cancelled) return;
    if (current.kind === 'move') {
      if (current.moved) onMoveEnd();
      else onSelect({ kind: 'state', key: current.key });
    } else {
      const target = stateAt(pointOf(event));
      if (target !== null && target !== current.from) onConnect(current.from, target);
    }
  };

  const onNodeKey = (event: KeyboardEvent<SVGGElement>, key: number) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onSelect({ kind: 'state', key });
      return;
    }
    const step = event.shiftKey ? 48 : 12;
    const moves: Record<string, Point> = {
      ArrowLeft: { x: -step, y: 0 },
      ArrowRight: { x: step, y: 0 },
      ArrowUp: { x: 0, y: -step },
      ArrowDown: { x: 0, y: step },
    };
    const move = moves[event.key];
    const at = posOf(key);
    if (!move || !at) return;
    event.preventDefault();
    onMove(key, { x: Math.max(8, at.x + move.x), y: Math.max(24, at.y + move.y) });
    onMoveEnd();
  };

  const onEdgeKey = (event: KeyboardEvent<SVGGElement>, key: number) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onSelect({ kind: 'transition', key });
    }
  };

  // Arrows between the same two states bend apart, measured in one direction so opposite arrows separate.
  const pairs = new Map<string, number[]>();
  for (const t of transitions) {
    const pair = t.from < t.to ? `${t.from}-${t.to}` : `${t.to}-${t.from}`;
    pairs.set(pair, [...(pairs.get(pair) ?? []), t.key]);
  }
  const bendOf = (t: CanvasTransition): Point | null => {
    const a = posOf(Math.min(t.from, t.to));
    const b = posOf(Math.max(t.from, t.to));
    const group = pairs.get(t.from < t.to ? `${t.from}-${t.to}` : `${t.to}-${t.from}`) ?? [];
    if (!a || !b || group.length < 2) return null;
    const ca = center(a);
    const cb = center(b);
    const len = Math.hypot(cb.x - ca.x, cb.y - ca.y) || 1;
    const normal = { x: -(cb.y - ca.y) / len, y: (cb.x - ca.x) / len };
    const offset = (group.indexOf(t.key) - (group.length - 1) / 2) * BEND * 2;
    return { x: (ca.x + cb.x) / 2 + normal.x * offset, y: (ca.y + cb.y) / 2 + normal.y * offset };
  };

  const isSelected = (kind: 'state' | 'transition', key: number) =>
    selection?.kind === kind && selection.key === key;
  const nameOf = (key: number) => states.find((s) => s.key === key)?.name ?? '?';
  const startState = states.find((s) => s.start);
  const startAt = startState ? posOf(startState.key) : undefined;
  const connectFrom = connecting ? posOf(connecting.from) : undefined;

  return (
    <div className="bp-canvas-wrap">
      <svg
        ref={svgRef}
        className={`bp-canvas${connecting ? ' is-connecting' : ''}`}
        width={fit ? '100%' : width}
        height={fit ? undefined : height}
        viewBox={`0 0 ${width} ${height}`}
        onPointerMove={onPointerMove}
        onPointerUp={(e) => finish(e, false)}
        onPointerCancel={(e) => finish(e, true)}
      >
        <title>The blueprint's states and transitions</title>
        <defs>
          <marker
            id={`${uid}-arrow`}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="9"
            markerHeight="9"
            markerUnits="userSpaceOnUse"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" className="bp-arrowhead" />
          </marker>
          <marker
            id={`${uid}-arrow-selected`}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="10"
            markerHeight="10"
            markerUnits="userSpaceOnUse"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" className="bp-arrowhead is-selected" />
          </marker>
        </defs>
        <rect
          className="bp-canvas-bg"
          x={0}
          y={0}
          width={width}
          height={height}
          onPointerDown={() => onSelect(null)}
        />

        {startAt ? (
          <g className="bp-start-marker">
            <circle cx={startAt.x - 30} cy={startAt.y + BOX_HEIGHT / 2} r={5} />
            <line
              x1={startAt.x - 25}
              y1={startAt.y + BOX_HEIGHT / 2}
              x2={startAt.x - 2}
              y2={startAt.y + BOX_HEIGHT / 2}
              markerEnd={`url(#${uid}-arrow)`}
            />
          </g>
        ) : null}

        {transitions.map((t) => {
          const from = posOf(t.from);
          const to = posOf(t.to);
          if (!from || !to) return null;
          const selected = isSelected('transition', t.key);
          const geometry = edgeGeometry(from, t.from === t.to ? from : to, bendOf(t));
          const text = clip(t.name || 'Unnamed', 26);
          const labelWidth = text.length * 6.6 + 16;
          return (
            <g
              key={t.key}
              className={`bp-edge${selected ? ' is-selected' : ''}${t.invalid ? ' is-invalid' : ''}`}
              data-transition={t.name}
            >
              <path
                className="bp-edge-line"
                d={geometry.d}
                markerEnd={`url(#${uid}-arrow${selected ? '-selected' : ''})`}
              />
              {/* biome-ignore lint/a11y/useSemanticElements: SVG has no <button>; this label is the arrow's control */}
              <g
                className="bp-edge-label"
                role="button"
                tabIndex={0}
                aria-label={`Transition ${t.name || 'Unnamed'}: ${nameOf(t.from)} to ${nameOf(t.to)}`}
                aria-pressed={selected}
                aria-describedby={describedBy}
                transform={`translate(${geometry.label.x} ${geometry.label.y})`}
                onClick={() => onSelect({ kind: 'transition', key: t.key })}
                onKeyDown={(e) => onEdgeKey(e, t.key)}
              >
                <rect x={-labelWidth / 2} y={-11} width={labelWidth} height={22} rx={11} />
                <text x={0} y={0} dy="0.35em" textAnchor="middle">
                  {text}
                </text>
              </g>
            </g>
          );
        })}

        {states.map((s) => {
          const at = posOf(s.key);
          if (!at) return null;
          const selected = isSelected('state', s.key);
          const target = connecting?.over === s.key;
          return (
            // biome-ignore lint/a11y/useSemanticElements: SVG has no <button>; the box is the state's control
            <g
              key={s.key}
              className={`bp-node${selected ? ' is-selected' : ''}${target ? ' is-target' : ''}${s.invalid ? ' is-invalid' : ''}${s.final ? ' is-final' : ''}`}
              data-status={s.status}
              data-state={s.id}
              transform={`translate(${at.x} ${at.y})`}
              role="button"
              tabIndex={0}
              aria-label={`State ${s.name || 'Unnamed'}: ${STATUS_LABEL[s.status]}${s.start ? ', start state' : ''}${s.final ? ', final' : ''}`}
              aria-pressed={selected}
              aria-describedby={describedBy}
              onPointerDown={(e) => startMove(e, s.key)}
              onKeyDown={(e) => onNodeKey(e, s.key)}
            >
              <rect className="bp-node-box" width={BOX_WIDTH} height={BOX_HEIGHT} rx={8} />
              {s.final ? (
                <rect
                  className="bp-node-final"
                  x={4}
                  y={4}
                  width={BOX_WIDTH - 8}
                  height={BOX_HEIGHT - 8}
                  rx={5}
                />
              ) : null}
              <rect className="bp-node-status" x={0} y={0} width={6} height={BOX_HEIGHT} rx={3} />
              <text className="bp-node-name" x={16} y={24}>
                {clip(s.name || 'Unnamed', 18)}
              </text>
              <text className="bp-node-meta" x={16} y={42}>
                {STATUS_LABEL[s.status]}
                {s.start ? ' · start' : ''}
                {s.final ? ' · final' : ''}
              </text>
            </g>
          );
        })}

        {connecting && connectFrom ? (
          <line
            className="bp-connect-preview"
            x1={connectFrom.x + BOX_WIDTH}
            y1={connectFrom.y + BOX_HEIGHT / 2}
            x2={connecting.at.x}
            y2={connecting.at.y}
            markerEnd={`url(#${uid}-arrow-selected)`}
          />
        ) : null}

        {/* Connectors sit on top so they stay grabbable; the "Add transition" form is their keyboard alternative. */}
        {/* biome-ignore lint/a11y/noAriaHiddenOnFocusable: pointer-only handles, never focusable; the form next to the canvas does the same */}
        <g aria-hidden="true">
          {states.map((s) => {
            const at = posOf(s.key);
            if (!at || s.final) return null;
            return (
              <circle
                key={s.key}
                className="bp-connector"
                data-state={s.id}
                cx={at.x + BOX_WIDTH}
                cy={at.y + BOX_HEIGHT / 2}
                r={CONNECTOR_RADIUS}
                onPointerDown={(e) => startConnect(e, s.key)}
              >
                <title>Drag onto another state to add a transition from “{s.name}”</title>
              </circle>
            );
          })}
        </g>
      </svg>
    </div>
  );
}
