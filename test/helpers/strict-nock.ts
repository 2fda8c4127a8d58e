/** No real network for the whole test file, and every nock interceptor must be used by the end of its test. */
import nock from 'nock';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';

export function useStrictNock(): void {
  beforeAll(() => nock.disableNetConnect());
  afterEach(() => {
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(pending).toEqual([]);
  });
  afterAll(() => nock.enableNetConnect());
}
