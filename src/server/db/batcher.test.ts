import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Batcher } from './batcher.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('batcher', () => {
  it('writes the first alone and those arriving meanwhile together, answering each caller in order', async () => {
    const batches: number[][] = [];
    const writer = new Batcher<number, number>({
      runMany: async (items) => {
        batches.push(items);
        await tick();
        return items.map((i) => i * 10);
      },
      runOne: async (item) => {
        batches.push([item]);
        await tick();
        return item * 10;
      },
      maxInFlight: 1,
      maxBatch: 3,
    });
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => writer.run(i)));
    assert.deepEqual(results, [10, 20, 30, 40, 50, 60]);
    assert.deepEqual(batches, [[1], [2, 3, 4], [5, 6]]);
  });

  it('after a failed batch runs each write alone, so only the bad one fails', async () => {
    const alone: number[] = [];
    const tried: number[][] = [];
    const writer = new Batcher<number, number>({
      runMany: async (items) => {
        tried.push(items);
        await tick();
        if (items.includes(13)) throw new Error('batch refused');
        return items;
      },
      runOne: async (item) => {
        alone.push(item);
        if (item === 13) throw new Error('thirteen refused');
        return item;
      },
      maxInFlight: 1,
      maxBatch: 10,
    });
    const settled = await Promise.allSettled([1, 2, 13, 4].map((i) => writer.run(i)));
    assert.deepEqual(
      settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message)),
      [1, 2, 'thirteen refused', 4],
    );
    assert.deepEqual(tried, [[2, 13, 4]], 'the first went alone; the rest went together and were refused');
    assert.deepEqual(alone, [1, 2, 13, 4], 'then each of the refused batch went alone');
  });

  it('sends the next batch before the callers of the one just written carry on', async () => {
    const log: string[] = [];
    const writer = new Batcher<number, number>({
      runMany: async (items) => {
        log.push(`sent ${items.join(',')}`);
        await tick();
        return items;
      },
      runOne: async (item) => {
        log.push(`sent ${item}`);
        await tick();
        return item;
      },
      maxInFlight: 1,
      maxBatch: 2,
    });
    await Promise.all([1, 2, 3, 4, 5].map((i) => writer.run(i).then((v) => log.push(`answered ${v}`))));
    assert.deepEqual(log, ['sent 1', 'answered 1', 'sent 2,3', 'sent 4,5', 'answered 2', 'answered 3', 'answered 4', 'answered 5']);
  });

  it('sends the next batch first even when the driver sends on a later tick (as pg-pool hands over a connection)', async () => {
    const log: string[] = [];
    const viaDriver = (items: number[]) =>
      new Promise<number[]>((resolve) => {
        process.nextTick(() => {
          log.push(`sent ${items.join(',')}`);
          setTimeout(() => resolve(items), 5);
        });
      });
    const writer = new Batcher<number, number>({
      runMany: viaDriver,
      runOne: async (item) => (await viaDriver([item]))[0]!,
      maxInFlight: 1,
      maxBatch: 2,
    });
    await Promise.all([1, 2, 3, 4, 5].map((i) => writer.run(i).then((v) => log.push(`answered ${v}`))));
    assert.deepEqual(log, ['sent 1', 'answered 1', 'sent 2,3', 'sent 4,5', 'answered 2', 'answered 3', 'answered 4', 'answered 5']);
  });
});
