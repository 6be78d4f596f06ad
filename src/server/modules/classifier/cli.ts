// `gongzhi train`: retrain the classifier (or roll back to an earlier version) from the command line.
import type { Db } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import { listVersions } from './classifier.repository.ts';
import { activateModelVersion, trainModel } from './classifier.service.ts';

export async function runTrain(db: Db, options: { corpusOnly?: boolean; activate?: string }): Promise<string[]> {
  if (options.activate) {
    if (!(await activateModelVersion(db, options.activate))) {
      const known = (await listVersions(db)).map((v) => v.version).join(', ') || 'none';
      throw new AppError('not_found', `No classifier version ${options.activate} (stored: ${known}).`);
    }
    return [`Classifier version ${options.activate} is active; running servers switch within seconds.`];
  }
  const { model, metrics } = await trainModel(db, { includeConfirmedCases: !options.corpusOnly });
  return [
    `Trained classifier version ${model.version} in ${(metrics.ms / 1000).toFixed(1)} s and made it active.`,
    `  ${metrics.corpusExamples} corpus examples, ${metrics.confirmedCases} confirmed closed cases (${metrics.correctedCases} corrected by a dispatcher)`,
    `  ${metrics.features} terms × ${metrics.classes} categories, ${(metrics.bytes / 1024 / 1024).toFixed(1)} MB; temperature ${metrics.temperature}`,
    `  validation (statements never trained on in step 1): top-1 ${(metrics.validation.top1 * 100).toFixed(1)} % of ${metrics.validation.examples}`,
  ];
}
