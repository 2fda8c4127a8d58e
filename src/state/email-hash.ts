import { createHash } from 'node:crypto';
import { normalizeEmail } from '../identity/normalize-email.js';

/**
 * How the state store keeps a person: SHA-256 (hex) of the normalised (trimmed, lower-cased)
 * email, never the email itself.
 */
export function emailHash(email: string): string {
  return createHash('sha256').update(normalizeEmail(email)).digest('hex');
}
