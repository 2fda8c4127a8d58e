/** Campaign config of the `file` destination. */
import { z } from 'zod';
import { retirePolicySchema } from '../../src/lifecycle/retire-policy.js';

export const fileConfigSchema = z
  .object({
    connector: z.literal('file'),
    /**
     * Directory the audience files go to, relative to the run's base directory (the cwd of the CLI).
     * @defaultValue `out`
     */
    dir: z.string().min(1, 'expected a directory path').default('out'),
    /**
     * File name template (`{{campaign}}`, `{{query}}`, `{{label}}`, `{{date}}`); the rendered name is
     * turned into a safe file stem (lower-case letters, digits, `-`, `_`).
     * @defaultValue `{{campaign}}-{{query}}`
     */
    name: z.string().min(1, 'expected a file name template').default('{{campaign}}-{{query}}'),
    /**
     * A file no run produces any more: `keep`, `empty` (rewrite it with no members, and its
     * manifest) or `delete` (delete the file and its manifest).
     * @defaultValue `empty`
     */
    retire: retirePolicySchema,
  })
  .strict();

export type FileConfig = z.infer<typeof fileConfigSchema>;
