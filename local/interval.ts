/**
 * A periodic job for the local runtime (the time-based workflow rules, which
 * EventBridge schedules on AWS): runs `run` every `intervalMs`, the next run
 * timed from the end of the previous one, so runs never overlap; `stop()`
 * cancels the next run and waits for one in progress. A failed run is
 * reported and the schedule goes on.
 */
export interface IntervalJob {
  /** Runs now (or waits for the run in progress), outside the schedule. */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

export function startInterval(options: {
  intervalMs: number;
  run: () => Promise<unknown>;
  onError?: (error: unknown) => void;
}): IntervalJob {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  let stopped = false;

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void tick(), options.intervalMs);
    timer.unref();
  };
  const tick = (): Promise<void> => {
    if (running) return running;
    clearTimeout(timer);
    // `then` starts the run on a later tick: `running` is set before it can finish.
    running = Promise.resolve()
      .then(options.run)
      .then(
        () => undefined,
        (error: unknown) => options.onError?.(error),
      )
      .finally(() => {
        running = null;
        schedule();
      });
    return running;
  };

  schedule();
  return {
    runNow: () => (stopped ? Promise.resolve() : tick()),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
