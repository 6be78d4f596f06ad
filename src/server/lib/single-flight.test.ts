import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { singleFlight } from './single-flight.ts';

describe('single flight', () => {
  it('shares a lookup in flight, never one that has settled, and keeps keys apart', async () => {
    const flight = singleFlight<number>();
    let runs = 0;
    const lookup = () => new Promise<number>((resolve) => setTimeout(() => resolve(++runs), 5));
    const [a, b, c] = await Promise.all([flight('k', lookup), flight('k', lookup), flight('other', lookup)]);
    assert.equal(a, b, 'the second caller got the first lookup');
    assert.notEqual(a, c);
    assert.equal(runs, 2);
    assert.equal(await flight('k', lookup), 3, 'a settled lookup is not reused');
  });

  it('gives a failure to every caller that shared it, and forgets it', async () => {
    const flight = singleFlight<number>();
    const failing = () => Promise.reject(new Error('down'));
    const results = await Promise.allSettled([flight('k', failing), flight('k', failing)]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    assert.equal(await flight('k', async () => 7), 7);
  });
});
