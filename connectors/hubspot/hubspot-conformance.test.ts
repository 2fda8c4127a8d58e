import { silentLogger } from '../../src/core/logger.js';
import { runConnectorConformance } from '../../test/helpers/connector-conformance.js';
import type { HubSpotConfig } from './hubspot-config.js';
import { hubspotConnector } from './index.js';
import { startFakeHubSpot } from './testing/fake-hubspot-server.js';

runConnectorConformance<HubSpotConfig>('hubspot', async () => {
  const accessToken = 'pat-na1-conformance';
  const fake = await startFakeHubSpot({ accessToken });
  const members = Array.from({ length: 8 }, (_unused, index) => ({
    email: `member${index + 1}@example.com`,
    userIds: [String(index + 1)],
    rank: index + 1,
  }));
  fake.addContacts(members.map((member) => ({ email: member.email })));
  return {
    connector: hubspotConnector,
    config: { connector: 'hubspot', list: 'affinity {{campaign}} {{query}}', mode: 'mirror', createContacts: false, requestsPer10s: 100, basePath: fake.basePath },
    context: { env: { HUBSPOT_ACCESS_TOKEN: accessToken }, logger: silentLogger, baseDir: process.cwd() },
    members,
    audienceEmails: (audience) => Promise.resolve(fake.listMemberEmails(audience.id)),
    writes: () => fake.stats.writes,
    cleanup: () => fake.close(),
  };
});
