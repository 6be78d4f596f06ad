// Batching of hot per-request statements (group commit for intake writes, duplicate lookups):
// calls that arrive while earlier ones are in flight wait and then go to the database together,
// as one statement. Under light load a call goes at once, alone; under heavy load the statements,
// round trips and commits per call fall with the batch size. A batch is one statement, so it is
// written whole or not at all; when it fails, each of its calls is run again alone, so one bad
// call fails only its own caller.

export interface BatcherOptions<I, O> {
  /** Runs several inputs in one statement; returns one output per input, in order. */
  runMany(items: I[]): Promise<O[]>;
  /** Runs one input alone (the fallback after a failed batch; its errors reach the caller). */
  runOne(item: I): Promise<O>;
  /** Batches in flight at once (leave connections in the pool for everything else). */
  maxInFlight: number;
  /** Largest batch. */
  maxBatch: number;
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private inFlight = 0;

  constructor(private readonly options: BatcherOptions<I, O>) {}

  run(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        this.inFlight--;
        this.pump();
      };
      void this.runBatch(batch, release).finally(release);
    }
  }

  private async runBatch(batch: Pending<I, O>[], release: () => void): Promise<void> {
    if (batch.length > 1) {
      let outputs: O[] | undefined;
      try {
        outputs = await this.options.runMany(batch.map((p) => p.item));
      } catch {
        // Nothing of the batch took effect; below, each call runs alone and meets its own error.
      }
      if (outputs) {
        // The next batch goes to the database first, then the callers carry on: their
        // continuations (answers, the next requests) run while the database works.
        release();
        batch.forEach((p, i) => p.resolve(outputs[i]!));
        return;
      }
    }
    await Promise.all(
      batch.map(async (p) => {
        try {
          p.resolve(await this.options.runOne(p.item));
        } catch (error) {
          p.reject(error);
        }
      }),
    );
  }
}
