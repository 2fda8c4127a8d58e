/**
 * Amazon Resource Names as Personalize, IAM and KMS write them, told apart by kind so that a
 * solution ARN given where a solution version ARN belongs is caught before any call.
 *
 * Formats: AWS General Reference, "Amazon Resource Names"
 * (`arn:partition:service:region:account-id:resource-type/resource-id`); Personalize API
 * patterns in `../shared/reference/personalize.md` §2 and §4.
 */

/** The parts of an ARN. */
export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  /** Everything after the fifth `:`, e.g. `solution/shoes/abcd1234`. */
  resource: string;
}

/** The ARN kinds the personalize provider checks. */
export type ArnKind =
  | 'personalize-solution-version'
  | 'personalize-solution'
  | 'personalize-filter'
  | 'personalize-dataset-group'
  | 'personalize-recipe'
  | 'personalize-batch-segment-job'
  | 'personalize-other'
  | 'iam-role'
  | 'kms-key'
  | 'other';

const ARN_SHAPE = /^arn:([a-z\d-]+):([a-z\d-]+):([a-z\d-]*):(\d{12})?:(.+)$/;

/** Splits an ARN into its parts, or undefined when the text is not shaped like one. */
export function parseArn(text: string): ParsedArn | undefined {
  const match = ARN_SHAPE.exec(text);
  if (!match) return undefined;
  const [, partition = '', service = '', region = '', accountId = '', resource = ''] = match;
  return { partition, service, region, accountId, resource };
}

/** The kind of an ARN; `other` for text that is no ARN or of a service we do not name. */
export function arnKind(text: string): ArnKind {
  const arn = parseArn(text);
  if (!arn) return 'other';
  const parts = arn.resource.split('/');
  const type = parts[0];
  const named = parts.slice(1).every((part) => part.length > 0);
  if (arn.service === 'iam') return type === 'role' && parts.length >= 2 && arn.region === '' && arn.accountId !== '' ? 'iam-role' : 'other';
  if (arn.service === 'kms') return type === 'key' && parts.length === 2 && named && arn.accountId !== '' ? 'kms-key' : 'other';
  if (arn.service !== 'personalize') return 'other';
  if (!named) return 'personalize-other';
  if (type === 'solution' && parts.length === 3) return 'personalize-solution-version';
  if (type === 'solution' && parts.length === 2) return 'personalize-solution';
  if (type === 'filter' && parts.length === 2) return 'personalize-filter';
  if (type === 'dataset-group' && parts.length === 2) return 'personalize-dataset-group';
  if (type === 'recipe' && parts.length === 2) return 'personalize-recipe';
  if (type === 'batch-segment-job' && parts.length === 2) return 'personalize-batch-segment-job';
  return 'personalize-other';
}

const KIND_NAMES: Record<ArnKind, string> = {
  'personalize-solution-version': 'a solution version ARN',
  'personalize-solution': 'a solution ARN',
  'personalize-filter': 'a filter ARN',
  'personalize-dataset-group': 'a dataset group ARN',
  'personalize-recipe': 'a recipe ARN',
  'personalize-batch-segment-job': 'a batch segment job ARN',
  'personalize-other': 'a Personalize ARN of another kind',
  'iam-role': 'an IAM role ARN',
  'kms-key': 'a KMS key ARN',
  'other': 'an ARN of another kind',
};

const KIND_EXAMPLES: Partial<Record<ArnKind, string>> = {
  'personalize-solution-version': 'arn:aws:personalize:<region>:<account>:solution/<solution-name>/<version-id>',
  'personalize-solution': 'arn:aws:personalize:<region>:<account>:solution/<solution-name>',
  'personalize-filter': 'arn:aws:personalize:<region>:<account>:filter/<filter-name>',
  'personalize-dataset-group': 'arn:aws:personalize:<region>:<account>:dataset-group/<name>',
  'iam-role': 'arn:aws:iam::<account>:role/<role-name>',
  'kms-key': 'arn:aws:kms:<region>:<account>:key/<key-id>',
};

/**
 * Why `text` is not an ARN of `expected` kind, or undefined when it is. The message names what
 * was found and the shape that was expected.
 */
export function arnKindProblem(text: string, expected: ArnKind): string | undefined {
  const found = arnKind(text);
  if (found === expected) return undefined;
  const example = KIND_EXAMPLES[expected];
  const hint =
    expected === 'personalize-solution-version' && found === 'personalize-solution'
      ? ' (a solution has versions; use the ARN of a trained solution version, listed by ListSolutionVersions)'
      : '';
  const parsed = parseArn(text);
  const got = found !== 'other' ? KIND_NAMES[found] : parsed ? `an ARN of another kind (${parsed.service} ${parsed.resource.split('/')[0] ?? ''})` : `"${text}", which is not an ARN`;
  return `expected ${KIND_NAMES[expected]}${example ? ` (${example})` : ''}, got ${got}${hint}`;
}
