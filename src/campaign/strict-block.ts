import { z } from 'zod';

/**
 * A strict object (unknown keys rejected). The unknown-key message, which lists the keys the block
 * accepts, comes from `campaignErrorMap` (campaign-error-map.ts) so every block (ours, providers', connectors') reads alike.
 */
export function strictBlock<Shape extends z.ZodRawShape>(shape: Shape) {
  return z.strictObject(shape);
}
