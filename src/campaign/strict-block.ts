import { z } from 'zod';

/**
 * A strict object (unknown keys rejected) whose unknown-key message lists the keys it accepts,
 * so a typo in a campaign file is fixed at a glance.
 */
export function strictBlock<Shape extends z.ZodRawShape>(shape: Shape) {
  const accepted = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown key; expected one of: ${accepted}` : undefined),
  });
}
