import { describe, expect, it } from 'vitest';
import { arnKind, arnKindProblem } from '../src/personalize/arn.js';
import { batchSegmentJobName, runNameStem } from '../src/personalize/job-name.js';
import { resolveEndpoint } from '../src/personalize/personalize-clients.js';
import { partLocation, splitIntoJobs } from '../src/personalize/segment-job-plan.js';
import { parseSegmentOutputLine } from '../src/personalize/segment-output-line.js';

describe('batch segment job names', () => {
  it('uses the run id as it is when it fits the job-name pattern', () => {
    expect(batchSegmentJobName('shoes-20241216T020151Z', 3)).toBe('shoes-20241216T020151Z-p3');
  });

  it('cleans, shortens and hashes other run ids into 1–63 allowed characters, deterministically', () => {
    const long = `${'winter-clearance-for-outdoor-and-footwear-'.repeat(3)}20241216T020151Z`;
    const name = batchSegmentJobName(long, 12);
    expect(name).toMatch(/^[a-zA-Z0-9][a-zA-Z0-9\-_]*$/);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toBe(batchSegmentJobName(long, 12));
    expect(name).toMatch(/^winter-clearance-for-outdoor-and-footwear-winte-[0-9a-f]{8}-p12$/);
    // Two ids that clean to the same text still get different names.
    expect(runNameStem('a.b')).not.toBe(runNameStem('a-b'));
    expect(runNameStem('.hidden run')).toMatch(/^hidden-run-[0-9a-f]{8}$/);
  });
});

describe('splitting and placing jobs', () => {
  it('puts at most 500 itemId or 10 itemAttributes lines in one job', () => {
    expect(splitIntoJobs(Array.from({ length: 1001 }, (_, i) => ({ itemId: String(i) }))).map((job) => job.length)).toEqual([500, 500, 1]);
    expect(splitIntoJobs(Array.from({ length: 21 }, (_, i) => ({ itemAttributes: `ITEMS.X = "${i}"` }))).map((job) => job.length)).toEqual([10, 10, 1]);
  });

  it('places input and output under <prefix>/<run>/, the output folder ending with /', () => {
    expect(partLocation({ bucket: 'b', prefix: '/team/affinity/' }, 'shoes-1', 2)).toEqual({
      bucket: 'b',
      inputKey: 'team/affinity/shoes-1/input/part-2.json',
      outputPrefix: 'team/affinity/shoes-1/output/part-2/',
    });
    expect(partLocation({ bucket: 'b', prefix: '' }, 'shoes-1', 1).inputKey).toBe('shoes-1/input/part-1.json');
    expect(() => partLocation({ bucket: 'b'.repeat(60), prefix: 'p'.repeat(200) }, 'shoes-1', 1)).toThrow('segment.s3.prefix: too long');
  });
});

describe('endpoints, the standard way', () => {
  it('prefers config, then AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL', () => {
    const env = { AWS_ENDPOINT_URL: 'http://all:4566', AWS_ENDPOINT_URL_S3: 'http://s3only:9000' };
    expect(resolveEndpoint('s3', {}, env)).toBe('http://s3only:9000');
    expect(resolveEndpoint('personalize', {}, env)).toBe('http://all:4566');
    expect(resolveEndpoint('personalize', { endpoint: { personalize: 'http://cfg:1' } }, env)).toBe('http://cfg:1');
    expect(resolveEndpoint('s3', {}, { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toBeUndefined();
    expect(resolveEndpoint('s3', {}, {})).toBeUndefined();
  });
});

describe('ARN kinds', () => {
  it('tells solution versions, solutions, filters, roles and keys apart', () => {
    expect(arnKind('arn:aws:personalize:us-east-1:123456789012:solution/s/abcd1234')).toBe('personalize-solution-version');
    expect(arnKind('arn:aws:personalize:us-east-1:123456789012:solution/s')).toBe('personalize-solution');
    expect(arnKind('arn:aws:personalize:us-east-1:123456789012:filter/f')).toBe('personalize-filter');
    expect(arnKind('arn:aws:personalize:us-east-1:123456789012:dataset-group/g')).toBe('personalize-dataset-group');
    expect(arnKind('arn:aws:iam::123456789012:role/service-role/PersonalizeS3')).toBe('iam-role');
    expect(arnKind('arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab')).toBe('kms-key');
    expect(arnKind('solution/s/abcd1234')).toBe('other');
  });
});

describe('output lines', () => {
  it('reads nested and top-level echoes, both user-list keys, and error lines', () => {
    expect(parseSegmentOutputLine('{"input": {"itemId": 105}, "output": {"usersList": ["61", 22]}, "error": null}')).toEqual({
      input: { itemId: '105' },
      usersList: ['61', '22'],
      error: null,
    });
    expect(parseSegmentOutputLine('{"itemAttributes": "ITEMS.GENDER = \\"F\\"", "output": {"recommendedUsers": ["5"]}}')).toEqual({
      input: { itemAttributes: 'ITEMS.GENDER = "F"' },
      usersList: ['5'],
      error: null,
    });
    expect(parseSegmentOutputLine('{"input": {"itemId": "x"}, "output": {"usersList": ["1"]}, "error": "Item not found"}')).toEqual({
      input: { itemId: 'x' },
      usersList: [],
      error: 'Item not found',
    });
    expect(parseSegmentOutputLine('{"output": {"usersList": []}}')).toMatch(/^no echoed input/);
    expect(parseSegmentOutputLine('{"input": ')).toBe('not valid JSON');
  });
});

describe('ARN kind messages', () => {
  it('says what was found instead', () => {
    expect(arnKindProblem('arn:aws:iam::123456789012:user/ops', 'iam-role')).toBe('expected an IAM role ARN (arn:aws:iam::<account>:role/<role-name>), got an ARN of another kind (iam user)');
    expect(arnKindProblem('PersonalizeRole', 'iam-role')).toBe('expected an IAM role ARN (arn:aws:iam::<account>:role/<role-name>), got "PersonalizeRole", which is not an ARN');
    expect(arnKindProblem('arn:aws:iam::123456789012:role/PersonalizeRole', 'iam-role')).toBeUndefined();
  });
});
