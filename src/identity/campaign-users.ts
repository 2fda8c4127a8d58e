/** The users a campaign's segments are matched against: its `users` source, else the users dataset. */
import type { LoadedCampaign } from '../campaign/load-campaign.js';
import { ConfigError, DataError } from '../core/errors.js';
import type { Datasets, Users } from '../datasets/datasets.js';
import { missingDatasetMessage } from '../datasets/find-dataset-files.js';
import { readPostgresUsers } from './postgres-users.js';

/**
 * The campaign's users: read from PostgreSQL when it has `users: { postgres }`, else the users
 * dataset loaded with its interactions.
 *
 * @throws ConfigError when neither gives users (no users dataset), DataError when the source is
 *   empty, and what {@link readPostgresUsers} throws.
 */
export async function campaignUsers(loaded: LoadedCampaign, datasets: Datasets, env: NodeJS.ProcessEnv): Promise<Users> {
  const postgres = loaded.campaign.users?.postgres;
  if (postgres) {
    const users = await readPostgresUsers(postgres, env);
    if (users.byId.size === 0) throw new DataError([{ file: loaded.file, field: 'users.postgres.query', message: 'the query returned no rows; USER_IDs cannot be matched to emails' }]);
    return users;
  }
  if (datasets.usersMissing) {
    throw new ConfigError([
      {
        file: datasets.dir,
        message: missingDatasetMessage('users'),
      },
    ]);
  }
  if (datasets.users.byId.size === 0) {
    throw new DataError([{ file: datasets.files.users, message: 'no users: the file has a header but no rows; USER_IDs cannot be matched to emails' }]);
  }
  return datasets.users;
}
