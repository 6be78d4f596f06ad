// Group commit for hot single-row writes (intake): writes that arrive while earlier ones are in
// flight wait and then go to the database together, as one statement. Under light load a write
// goes at once, alone; under heavy load the statements, round trips and commits per write fall
// with the batch size. A batch is one statement, so it is written whole or not at all; when it
// fails, each of its writes is run again alone, so one bad write fails only its own caller.

export interface GroupWriterOptions<I, O> {
  /** Writes several inputs in one statement; returns one output per input, in order. */
  writeMany(items: I[]): Promise<O[]>;
  /** Writes one input alone (the fallback after a failed batch; its errors reach the caller). */
  writeOne(item: I): Promise<O>;
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

export class GroupWriter<I, O> {
  private queue: Pending<I, O>[] = [];
  private inFlight = 0;

  constructor(private readonly options: GroupWriterOptions<I, O>) {}

  write(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.options.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(batch: Pending<I, O>[]): Promise<void> {
    if (batch.length > 1) {
      let outputs: O[] | undefined;
      try {
        outputs = await this.options.writeMany(batch.map((p) => p.item));
      } catch {
        // Nothing of the batch was written; below, each write runs alone and meets its own error.
      }
      if (outputs) {
        batch.forEach((p, i) => p.resolve(outputs[i]!));
        return;
      }
    }
    await Promise.all(
      batch.map(async (p) => {
        try {
          p.resolve(await this.options.writeOne(p.item));
        } catch (error) {
          p.reject(error);
        }
      }),
    );
  }
}
