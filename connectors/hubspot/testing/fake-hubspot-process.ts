/**
 * Runs a fake HubSpot ({@link startFakeHubSpot}) in its own process (forked by the benchmarks), so
 * its CPU time and memory stay out of the measured process. Protocol over the IPC channel: the
 * parent sends {@link FakeHubSpotProcessStart}; the child adds the contacts `member<i>@bench.example`
 * (i < `contacts`) and answers `{ basePath }`; on `'stats'` it answers the {@link FakeHubSpotStats};
 * on `'stop'` it exits.
 */
import { startFakeHubSpot, type FakeHubSpotOptions } from './fake-hubspot-server.js';

/** The first message: the fake's options and how many contacts it holds. */
export interface FakeHubSpotProcessStart extends FakeHubSpotOptions {
  contacts: number;
}

process.once('message', (start: FakeHubSpotProcessStart) => {
  void startFakeHubSpot(start).then((fake) => {
    fake.addContacts(Array.from({ length: start.contacts }, (_unused, index) => ({ email: `member${index}@bench.example` })));
    process.send?.({ basePath: fake.basePath });
    process.on('message', (message: unknown) => {
      if (message === 'stats') process.send?.({ ...fake.stats });
      else if (message === 'stop') void fake.close().then(() => process.exit(0));
    });
  });
});
