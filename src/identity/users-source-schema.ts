/** The `users` block of a campaign: where USER_IDs are matched to emails when not in the dataset directory. */
import { z } from 'zod';
import { strictBlock } from '../campaign/strict-block.js';

/** Default environment variable holding the PostgreSQL connection URL. */
export const defaultUsersUrlEnv = 'DATABASE_URL';

export const usersSourceSchema = strictBlock({
  postgres: strictBlock({
    query: z
      .string()
      .min(1)
      .describe('SQL returning one row per user: user_id and email columns (any case), optionally first_name and last_name, e.g. "select user_id, email, first_name, last_name from customers"'),
    urlEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected the name of an environment variable, e.g. CUSTOMERS_DATABASE_URL')
      .default(defaultUsersUrlEnv)
      .describe(`Environment variable holding the connection URL (postgres://user:password@host:5432/db); never the URL itself. Default ${defaultUsersUrlEnv}`),
  }).describe('Read the users from PostgreSQL, streamed with a cursor'),
}).describe('Where the users (USER_ID → EMAIL, FIRST_NAME, LAST_NAME) come from instead of the users dataset of the data directory');

export type UsersSource = z.infer<typeof usersSourceSchema>;
