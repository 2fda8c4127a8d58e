/**
 * One line of a batch segment job's `.out` file, in every shape seen: the documented
 * `{"itemAttributes": …, "output": {"recommendedUsers": […]}}` and the real
 * `{"input": {"itemAttributes": …}, "output": {"usersList": […]}, "error": null}`
 * (`../shared/reference/personalize.md` §0 and §3).
 */
import { z } from 'zod';
import type { SegmentQuery } from '../segments/segment-provider.js';

const idText = z.union([z.string(), z.number()]).transform(String);
const echoSchema = z.looseObject({ itemId: idText.optional(), itemAttributes: z.string().optional() });

const outputLineSchema = z.looseObject({
  input: echoSchema.nullish(),
  itemId: idText.optional(),
  itemAttributes: z.string().optional(),
  output: z
    .looseObject({ usersList: z.array(idText).nullish(), recommendedUsers: z.array(idText).nullish() })
    .nullish(),
  error: z.unknown().optional(),
});

/** A line, normalised. */
export interface SegmentOutputLine {
  /** The echoed query (nested `input` first, else the top-level fields). */
  input: SegmentQuery;
  usersList: string[];
  /** The line's error text, or null. */
  error: string | null;
}

/**
 * Parses one `.out` line.
 * @returns the line, or a string saying why it is not a batch segment output line.
 */
export function parseSegmentOutputLine(text: string): SegmentOutputLine | string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'not valid JSON';
  }
  const parsed = outputLineSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `unexpected shape (${issue ? `${issue.path.join('.') || 'line'}: ${issue.message}` : 'invalid'})`;
  }
  const line = parsed.data;
  const echo = line.input ?? {};
  const itemId = echo.itemId ?? line.itemId;
  const itemAttributes = echo.itemAttributes ?? line.itemAttributes;
  let input: SegmentQuery;
  if (itemId !== undefined) input = { itemId };
  else if (itemAttributes !== undefined) input = { itemAttributes };
  else return 'no echoed input (neither input.itemId, input.itemAttributes, itemId nor itemAttributes)';

  const error = line.error === undefined || line.error === null || line.error === '' ? null : typeof line.error === 'string' ? line.error : JSON.stringify(line.error);
  const usersList = error ? [] : (line.output?.usersList ?? line.output?.recommendedUsers ?? []);
  return { input, usersList, error };
}
