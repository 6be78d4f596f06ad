// Reading a bigserial table "after id N" misses rows whose transaction took an id before N but
// committed after the reader moved past it. The cursor therefore remembers the ids it skipped
// (gaps) and asks for them again until they appear or are old enough to be a rollback.

export class IdCursor {
  /** The highest id seen. */
  position: number;
  /** Skipped ids → when they were first noticed missing (ms). */
  private readonly gaps = new Map<number, number>();

  constructor(
    position = 0,
    private readonly gapTimeoutMs = 10_000,
    private readonly maxGaps = 1_000,
  ) {
    this.position = position;
  }

  /** Ids below `position` still worth asking for. */
  pendingGaps(): number[] {
    return [...this.gaps.keys()];
  }

  /** Starts at `position`, treating missing ids among `recentIds` (the ids just below it) as gaps. */
  reset(position: number, recentIds: readonly number[], nowMs: number, lookback: number): void {
    this.gaps.clear();
    this.position = Math.max(0, position - lookback);
    this.accept(recentIds, nowMs);
    this.position = position;
  }

  /** Records the ids a poll returned (ascending) and returns those it had not seen before. */
  accept(ids: readonly number[], nowMs: number): number[] {
    const fresh: number[] = [];
    for (const id of ids) {
      if (id > this.position) {
        for (let missing = Math.max(this.position + 1, id - this.maxGaps); missing < id; missing++) this.gaps.set(missing, nowMs);
        this.position = id;
        fresh.push(id);
      } else if (this.gaps.delete(id)) {
        fresh.push(id);
      }
    }
    for (const [id, since] of this.gaps) if (nowMs - since > this.gapTimeoutMs) this.gaps.delete(id);
    if (this.gaps.size > this.maxGaps) {
      const drop = [...this.gaps.keys()].sort((a, b) => a - b).slice(0, this.gaps.size - this.maxGaps);
      for (const id of drop) this.gaps.delete(id);
    }
    return fresh;
  }
}
