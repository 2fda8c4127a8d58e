/**
 * Runs a {@link FakeMailchimp} in its own process (forked by bench/mailchimp.ts), so the fake's
 * CPU time does not queue behind the client's on one event loop. Protocol over the IPC channel:
 * the parent sends `{ members, latencyMs }`; the child answers `{ baseUrl, listId }`; on
 * `'stats'` it answers `{ maxInFlight, tagged, firstTagCallAt, requests, writes }` (requests and
 * non-GET requests received so far); on `'stop'` it exits.
 */
import { FakeMailchimp, serveFakeMailchimp } from './fake-mailchimp.js';

interface Start {
  members: number;
  latencyMs: number;
}

const fake = new FakeMailchimp();
let firstTagCallAt = 0;
const handle = fake.handle.bind(fake);
fake.handle = (method, path, query, body) => {
  if (firstTagCallAt === 0 && method === 'POST' && /\/segments\/\d+$/.test(path)) firstTagCallAt = Date.now();
  return handle(method, path, query, body);
};

process.once('message', (start: Start) => {
  for (let index = 0; index < start.members; index += 1) fake.members.set(`member${index}@bench.example`, 'subscribed');
  void serveFakeMailchimp(fake, { latencyMs: start.latencyMs }).then((server) => {
    process.send?.({ baseUrl: server.baseUrl, listId: fake.listId });
    process.on('message', (message: unknown) => {
      if (message === 'stats') {
        const segment = fake.segments[0];
        process.send?.({ maxInFlight: fake.maxInFlight, tagged: segment ? segment.members.size : 0, firstTagCallAt, requests: fake.requests.length, writes: fake.writes() });
      } else if (message === 'stop') {
        void server.close().then(() => process.exit(0));
      }
    });
  });
});
