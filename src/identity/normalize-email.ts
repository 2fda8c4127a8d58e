/** Email normalisation and a validity check, shared by the identity resolvers. */

/**
 * Local part: an RFC 5322 §3.2.3 `dot-atom` — runs of `atext` (letters, digits and
 * ``!#$%&'*+/=?^_`{|}~-``) joined by single dots, so no leading, trailing or doubled dot.
 * Quoted strings and comments, legal in RFC 5322, are refused: no destination we write to needs them.
 */
const localPartPattern = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i;

/**
 * Domain: at least two DNS labels (RFC 1035 §2.3.1 "preferred name syntax": letters, digits and
 * inner hyphens, 1–63 characters), the last one starting with a letter. No IP literals.
 */
const domainPattern = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * First characters a spreadsheet reads as the start of a formula (OWASP "CSV Injection").
 * `=`, `+` and `-` are legal `atext`, but an address starting with one is refused so it never
 * reaches a CSV cell.
 */
const formulaStart = /^[=+\-@]/;

/** RFC 5321 §4.5.3.1.1 (local part) and the 254-character path limit of RFC 5321 erratum 1690. */
const maxLocalPartLength = 64;
const maxEmailLength = 254;

/** Trims and lower-cases an email, the key every destination uses. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * True when a normalised email has exactly one `@`, a local part made of RFC 5322 `atext` and
 * single inner dots (at most 64 characters), a domain of two or more DNS labels, at most 254
 * characters in all, and does not start with `=`, `+`, `-` or `@` (formula injection).
 * Destinations still do their own check and report per-record failures.
 */
export function isPlausibleEmail(normalizedEmail: string): boolean {
  if (normalizedEmail.length > maxEmailLength || formulaStart.test(normalizedEmail)) return false;
  const at = normalizedEmail.lastIndexOf('@');
  if (at <= 0) return false;
  const localPart = normalizedEmail.slice(0, at);
  const domain = normalizedEmail.slice(at + 1);
  return localPart.length <= maxLocalPartLength && localPartPattern.test(localPart) && domainPattern.test(domain);
}
