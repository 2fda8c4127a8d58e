/** Email normalisation and a pragmatic validity check, shared by the identity resolvers. */

/**
 * One `@`, no whitespace, and a dot inside the domain with text on both sides. Deliberately
 * looser than RFC 5322: destinations do their own strict check and report per-record failures.
 */
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Trims and lower-cases an email, the key every destination uses. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** True when a normalised email passes {@link emailPattern}. */
export function isPlausibleEmail(normalizedEmail: string): boolean {
  return emailPattern.test(normalizedEmail);
}
