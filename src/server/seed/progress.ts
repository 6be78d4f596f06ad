// A terminal progress bar for long seeds, fed by seedCity's progress callback.
import cliProgress from 'cli-progress';
import type { SeedProgress } from './seed.ts';

export function progressBar(label = 'Seeding'): { progress: SeedProgress; stop(): void } {
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {percentage}% | {value}/{total} | {stage}`, hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    progress: (done, total, stage) => {
      if (!started) {
        bar.start(total, done, { stage });
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, { stage });
      }
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
