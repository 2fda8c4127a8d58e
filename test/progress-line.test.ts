/**
 * The progress lines of `run` on stderr: a long step is announced, then ticked with its time, or
 * crossed out when it failed (the report's FAILED row must not follow a tick).
 */
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgressLine } from '../src/cli/progress-line.js';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

describe('progress lines', () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date('2026-12-03T10:00:00Z'), toFake: ['setTimeout', 'clearTimeout', 'Date'] }));
  afterEach(() => vi.useRealTimers());

  it('ticks a long step that succeeded and crosses out one that failed; quick steps print nothing', async () => {
    const out = capture();
    const progress = createProgressLine(out.stream);
    progress({ step: 'mailchimp: shoes' });
    progress({ step: 'hubspot: shoes' });
    progress({ step: 'file: quick' });
    progress({ step: 'file: quick', finished: true });
    await vi.advanceTimersByTimeAsync(9_100);
    progress({ step: 'mailchimp: shoes', finished: true });
    progress({ step: 'hubspot: shoes', finished: true, failed: true });
    await new Promise((resolve) => setImmediate(resolve));
    expect(out.text()).toBe(
      ['  … mailchimp: shoes', '  … hubspot: shoes', '  ✓ mailchimp: shoes (9.1 s)', '  ✗ hubspot: shoes (failed after 9.1 s)', ''].join('\n'),
    );
    progress.stop();
  });
});
