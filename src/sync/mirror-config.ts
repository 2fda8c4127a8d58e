/**
 * Destination fields every mirror-capable connector shares, declared once.
 */
import { z } from 'zod';

/**
 * Mirror mode: the largest share (0–1) of an audience's members one run may remove; a run that
 * would remove more (and more than 100 members) is refused (see `syncAudience`). 1 allows any.
 * @defaultValue 0.5 (applied by the sync engine)
 */
export const maxRemovalShareSchema = z
  .number()
  .min(0, 'expected a share from 0 to 1, e.g. 0.5')
  .max(1, 'expected a share from 0 to 1, e.g. 0.5')
  .optional()
  .describe('mirror mode: the largest share of the audience one run may remove; default 0.5; 1 allows any');
