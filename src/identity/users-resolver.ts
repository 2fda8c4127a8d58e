/** The IdentityResolver over the users dataset (USER_ID → EMAIL, FIRST_NAME, LAST_NAME). */
import type { Users } from '../datasets/datasets.js';
import type { AudienceMember, IdentityResolver, ResolvedSegment, UnmatchedReason } from './identity-resolver.js';
import { isPlausibleEmail, normalizeEmail } from './normalize-email.js';

/**
 * Resolves a segment's `usersList` through the users dataset. Deterministic: the same list and
 * users give the same members in the same order.
 *
 * - The email is trimmed and lower-cased. A USER_ID not in the dataset counts as `unknownUser`,
 *   an empty EMAIL as `missingEmail`, one that fails {@link isPlausibleEmail} (RFC 5322 `atext`
 *   local part, DNS domain, no leading `=`, `+`, `-` or `@`) as `invalidEmail`: such an email is
 *   never handed to a destination.
 * - USER_IDs sharing an email make one member: the first one (best ranked) gives its rank and
 *   names, later ones are appended to `userIds` and counted in `mergedDuplicates`.
 * - `rank` is the 1-based position in `usersList` of the member's first USER_ID, so ranks keep
 *   gaps where users were unmatched or merged. Members come out by rank.
 * - A USER_ID listed twice is taken once (its first position); the repeat is not counted.
 */
export class UsersIdentityResolver implements IdentityResolver {
  constructor(private readonly users: Users) {}

  resolve(userIds: readonly string[], scores?: readonly number[]): ResolvedSegment {
    const members: AudienceMember[] = [];
    const memberByEmail = new Map<string, AudienceMember>();
    const seen = new Set<string>();
    const unmatched: Record<UnmatchedReason, number> = { unknownUser: 0, missingEmail: 0, invalidEmail: 0 };
    let mergedDuplicates = 0;

    userIds.forEach((userId, position) => {
      if (seen.has(userId)) return;
      seen.add(userId);
      const user = this.users.byId.get(userId);
      if (!user) {
        unmatched.unknownUser += 1;
        return;
      }
      const email = normalizeEmail(user.email);
      if (email === '') {
        unmatched.missingEmail += 1;
        return;
      }
      if (!isPlausibleEmail(email)) {
        unmatched.invalidEmail += 1;
        return;
      }
      const existing = memberByEmail.get(email);
      if (existing) {
        existing.userIds.push(userId);
        mergedDuplicates += 1;
        return;
      }
      const member: AudienceMember = { email, userIds: [userId], rank: position + 1 };
      const score = scores?.[position];
      if (score !== undefined) member.score = score;
      const firstName = user.firstName.trim();
      const lastName = user.lastName.trim();
      if (firstName !== '') member.firstName = firstName;
      if (lastName !== '') member.lastName = lastName;
      memberByEmail.set(email, member);
      members.push(member);
    });

    return { members, unmatched, mergedDuplicates };
  }
}
