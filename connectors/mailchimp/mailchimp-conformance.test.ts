import { silentLogger } from '../../src/core/logger.js';
import type { AudienceMember } from '../../src/identity/identity-resolver.js';
import { runConnectorConformance } from '../../test/helpers/connector-conformance.js';
import { FakeMailchimp, serveFakeMailchimp } from './fake-mailchimp.js';
import { mailchimpConfigSchema } from './mailchimp-config.js';
import { createMailchimpConnector } from './mailchimp-connector.js';

const members: AudienceMember[] = ['ana', 'bo', 'cy', 'di', 'ed', 'fay', 'gus'].map((name, index) => ({
  email: `${name}@example.com`,
  userIds: [String(index + 1)],
  rank: index + 1,
}));

runConnectorConformance('mailchimp', async () => {
  const fake = new FakeMailchimp();
  for (const member of members) fake.members.set(member.email, 'subscribed');
  fake.members.set('someone-else@example.com', 'subscribed');
  const server = await serveFakeMailchimp(fake);
  return {
    connector: createMailchimpConnector({ rateLimitWaitMs: 5 }),
    config: mailchimpConfigSchema.parse({ connector: 'mailchimp', audienceId: fake.listId, mode: 'mirror', baseUrl: server.baseUrl }),
    context: { env: { MAILCHIMP_API_KEY: '0123456789abcdef0123456789abcdef-us21' }, logger: silentLogger, baseDir: process.cwd() },
    members,
    audienceEmails: (audience) => Promise.resolve(fake.segmentEmails(audience.id)),
    writes: () => fake.writes(),
    cleanup: () => server.close(),
  };
});
