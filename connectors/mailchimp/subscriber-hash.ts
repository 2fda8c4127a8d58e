/**
 * Mailchimp's member id: MD5 (hex) of the lower-cased email (Marketing API, "Methods and
 * parameters: subscriber_hash"). We also trim, as the identity resolver does, so the hash always
 * matches the `email_address` we send.
 */
import { createHash } from 'node:crypto';

export function subscriberHash(email: string): string {
  return createHash('md5').update(email.trim().toLowerCase()).digest('hex');
}
