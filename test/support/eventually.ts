/** Polls `probe` until it returns a value `accept`s (default: truthy), or fails after `timeoutMs`. No fixed sleeps. */
export async function eventually<T>(
  probe: () => Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number; accept?: (value: T) => boolean; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const accept = options.accept ?? ((value: T) => Boolean(value));
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
  throw new Error(
    `Timed out waiting for ${options.what ?? 'condition'}; last value ${JSON.stringify(last)}${lastError ? `, last error ${String(lastError)}` : ''}`,
  );
}
