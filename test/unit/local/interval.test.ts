import { describe, expect, it } from 'vitest';
import { startInterval } from '../../../local/interval.js';
import { eventually } from '../../support/eventually.js';

/** A promise and its resolver, to hold a run open until the test lets it finish. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('local interval job (time-based rules)', () => {
  it('runs on the interval, never two runs at once, and goes on after a failure', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const errors: unknown[] = [];
    const job = startInterval({
      intervalMs: 5,
      run: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs++;
        await new Promise((resolve) => setTimeout(resolve, 15));
        active--;
        if (runs === 2) throw new Error('table unavailable');
      },
      onError: (error) => errors.push(error),
    });
    await eventually(async () => runs, { accept: (n) => n >= 4, what: 'four runs' });
    // A run asked for while one is in progress joins it instead of starting another.
    await Promise.all([job.runNow(), job.runNow()]);
    await job.stop();
    expect(maxActive).toBe(1);
    expect(errors.map(String)).toEqual(['Error: table unavailable']);
  });

  it('stop() waits for the run in progress and nothing runs afterwards', async () => {
    const held = gate();
    let started = 0;
    let finished = 0;
    const job = startInterval({
      intervalMs: 1,
      run: async () => {
        started++;
        await held.opened;
        finished++;
      },
    });
    await eventually(async () => started, { accept: (n) => n === 1, what: 'the first run' });
    let stopped = false;
    const stopping = job.stop().then(() => {
      stopped = true;
    });
    await Promise.resolve();
    expect(stopped).toBe(false);
    held.open();
    await stopping;
    expect(finished).toBe(1);
    await job.runNow();
    expect(started).toBe(1);
  });
});
