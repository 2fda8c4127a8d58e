/**
 * Trains an Item-Affinity or Item-Attribute-Affinity solution version: CreateSolution (or the
 * existing solution of that name), CreateSolutionVersion with `trainingMode: FULL`, wait for
 * `ACTIVE`, GetSolutionMetrics.
 *
 * Calls and recipe ARNs: Personalize API reference and recipe pages
 * (`../shared/reference/personalize.md` §1 and §4). No HPO for these recipes; the only
 * hyperparameter is `hidden_dimension` (integer 32–256, default 149), passed as a string.
 */
import {
  CreateSolutionCommand,
  CreateSolutionVersionCommand,
  DescribeSolutionCommand,
  DescribeSolutionVersionCommand,
  GetSolutionMetricsCommand,
  type PersonalizeClient,
} from '@aws-sdk/client-personalize';
import { PermanentError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { parseArn } from './arn.js';
import { awsErrorName, translateAwsError } from './aws-errors.js';
import { USER_SEGMENTATION_RECIPES, type UserSegmentationRecipe } from './user-segmentation-recipes.js';
import { waitForActive, type WaitOptions } from './wait-for-status.js';

export interface TrainSolutionOptions extends Omit<WaitOptions, 'onStatus'> {
  datasetGroupArn: string;
  recipe: UserSegmentationRecipe;
  /** Solution name, 1–63 characters of `[a-zA-Z0-9][a-zA-Z0-9\-_]*`; an existing solution of that name gets a new version. */
  solutionName: string;
  /** `hidden_dimension` (32–256). @defaultValue Personalize's default, 149 */
  hiddenDimension?: number;
  /** Progress of the long waits. */
  onStatus?: (resource: 'solution' | 'solution version', status: string) => void;
}

/** What training produced. */
export interface TrainedSolution {
  solutionArn: string;
  solutionVersionArn: string;
  /** Billed training hours, when Personalize reports them. */
  trainingHours?: number;
  /** Offline metrics by their real keys (`coverage`, `hits_at_1_percent`, `recall_at_1_percent`). */
  metrics: Record<string, number>;
}

/** Trains a solution version and returns its metrics. @throws PermanentError, AuthError, TransientError, RateLimitedError */
export async function trainSolution(client: PersonalizeClient, options: TrainSolutionOptions, logger: Logger): Promise<TrainedSolution> {
  const call = <T>(operation: string, resource: string, run: () => Promise<T>): Promise<T> =>
    run().catch((error: unknown) => {
      throw translateAwsError(error, { service: 'personalize', operation, resource });
    });

  let solutionArn: string;
  try {
    const created = await client.send(
      new CreateSolutionCommand({
        name: options.solutionName,
        datasetGroupArn: options.datasetGroupArn,
        recipeArn: USER_SEGMENTATION_RECIPES[options.recipe],
        performHPO: false,
        ...(options.hiddenDimension ? { solutionConfig: { algorithmHyperParameters: { hidden_dimension: String(options.hiddenDimension) } } } : {}),
      }),
    );
    if (!created.solutionArn) throw new PermanentError('Personalize CreateSolution answered without solutionArn');
    solutionArn = created.solutionArn;
    logger.info({ solution: options.solutionName }, 'personalize: solution created');
  } catch (error) {
    if (awsErrorName(error) !== 'ResourceAlreadyExistsException') {
      throw error instanceof PermanentError ? error : translateAwsError(error, { service: 'personalize', operation: 'CreateSolution', resource: options.datasetGroupArn });
    }
    const group = parseArn(options.datasetGroupArn);
    if (!group) throw new PermanentError(`cannot build the ARN of the existing solution ${options.solutionName}`);
    solutionArn = `arn:${group.partition}:personalize:${group.region}:${group.accountId}:solution/${options.solutionName}`;
    logger.info({ solution: options.solutionName }, 'personalize: solution exists, adding a version');
  }

  await waitForActive(
    `solution ${solutionArn}`,
    async () => (await call('DescribeSolution', solutionArn, () => client.send(new DescribeSolutionCommand({ solutionArn })))).solution ?? {},
    { ...options, onStatus: (status) => options.onStatus?.('solution', status) },
  );

  const version = await call('CreateSolutionVersion', solutionArn, () => client.send(new CreateSolutionVersionCommand({ solutionArn, trainingMode: 'FULL' })));
  const solutionVersionArn = version.solutionVersionArn;
  if (!solutionVersionArn) throw new PermanentError('Personalize CreateSolutionVersion answered without solutionVersionArn');

  let trainingHours: number | undefined;
  await waitForActive(
    `solution version ${solutionVersionArn}`,
    async () => {
      const described = (await call('DescribeSolutionVersion', solutionVersionArn, () => client.send(new DescribeSolutionVersionCommand({ solutionVersionArn })))).solutionVersion ?? {};
      trainingHours = described.trainingHours;
      return described;
    },
    { ...options, onStatus: (status) => options.onStatus?.('solution version', status) },
  );

  const metrics = await call('GetSolutionMetrics', solutionVersionArn, () => client.send(new GetSolutionMetricsCommand({ solutionVersionArn })));
  return { solutionArn, solutionVersionArn, ...(trainingHours !== undefined ? { trainingHours } : {}), metrics: metrics.metrics ?? {} };
}
