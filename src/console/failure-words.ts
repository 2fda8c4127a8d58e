/**
 * Failure codes and error messages in words for people: what a connector's per-record code means,
 * and a run's error without any stack trace.
 */

/** Per-record failure codes the connectors report, in words. */
const FAILURE_CODES: Record<string, string> = {
  // Mailchimp problem titles (Marketing API "Errors" glossary) and our own codes.
  'Member In Compliance State': 'Mailchimp refused: the person unsubscribed, bounced or is under compliance review',
  'Forgotten Email Not Subscribed': 'Mailchimp refused: the person was permanently deleted and cannot be re-added',
  'Invalid Resource': 'Mailchimp rejected the record (an invalid or fake-looking address, or too many recent sign-ups)',
  tagRejected: 'Mailchimp did not tag the member',
  signupThrottled: 'Mailchimp throttled sign-ups of this address ("signed up to a lot of lists very recently"); retried by the next run',
  // HubSpot batch error categories.
  VALIDATION_ERROR: 'HubSpot rejected the contact (an invalid email address or property)',
  INVALID_EMAIL: 'HubSpot rejected the email address as invalid',
  OBJECT_NOT_FOUND: 'HubSpot no longer has the contact',
  // The sync engine.
  noOutcome: 'the destination answered without a result for this record',
};

/** One failure code in words (the code itself when we have no words for it). */
export function failureCodeInWords(code: string, connector: string): string {
  return FAILURE_CODES[code] ?? `${connector} rejected the record (code "${code}")`;
}

/**
 * An error message for people: its first paragraph, without stack frames (`    at …`) that a job's
 * failed reason may carry.
 */
export function errorInWords(message: string): string {
  const lines = message.split('\n');
  const firstFrame = lines.findIndex((line) => /^\s+at\s/.test(line));
  const kept = (firstFrame === -1 ? lines : lines.slice(0, firstFrame)).join('\n').trim();
  return kept.replace(/^(?:[A-Z][A-Za-z]*)?Error:\s*/, '') || 'the run failed without a message';
}
