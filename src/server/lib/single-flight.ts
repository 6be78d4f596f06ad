// Concurrent identical lookups share one: a caller arriving while a lookup for the same key is
// in flight gets that lookup's answer. Nothing is kept after it settles, so no answer is older
// than the request that waits for it (unlike a cache). Used for credentials: an integration
// sends many requests at once with one token.
export function singleFlight<T>(): (key: string, run: () => Promise<T>) => Promise<T> {
  const inFlight = new Map<string, Promise<T>>();
  return (key, run) => {
    const running = inFlight.get(key);
    if (running) return running;
    const started = run().finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  };
}
