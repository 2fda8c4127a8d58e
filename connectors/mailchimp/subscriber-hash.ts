/**
 * Mailchimp's member id: MD5 (hex) of the lower-cased email (Marketing API, "Methods and
 * parameters: subscriber_hash"). We also trim, as the identity resolver does, so the hash always
 * matches the `email_address` we send.
 */
import { createHash } from 'node:crypto';
import { normalizeEmail } from '../../src/identity/normalize-email.js';

export function subscriberHash(email: string): string {
  return createHash('md5').update(normalizeEmail(email)).digest('hex');
}
