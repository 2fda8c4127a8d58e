import { describe, expect, it } from 'vitest';
import type { UserRecord, Users } from '../src/datasets/datasets.js';
import { readUsers } from '../src/datasets/read-users.js';
import { isPlausibleEmail, normalizeEmail } from '../src/identity/normalize-email.js';
import { UsersIdentityResolver } from '../src/identity/users-resolver.js';

function usersOf(records: Array<[userId: string, email: string, firstName?: string, lastName?: string]>): Users {
  const byId = new Map<string, UserRecord>(
    records.map(([userId, email, firstName = '', lastName = '']) => [userId, { userId, email, firstName, lastName }]),
  );
  return { byId, columns: ['USER_ID', 'EMAIL', 'FIRST_NAME', 'LAST_NAME'] };
}

describe('email normalisation', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Ann.Lee@Example.COM \t')).toBe('ann.lee@example.com');
  });

  it('accepts plausible addresses and rejects the rest', () => {
    expect(['a@b.co', 'first.last+tag@mail.example.com'].map(isPlausibleEmail)).toEqual([true, true]);
    expect(['ann', 'a@b', 'a@@b.com', 'a@b@c.com', 'an n@b.com', '@b.com', 'a@.com', 'a@b.'].map(isPlausibleEmail)).toEqual(
      [false, false, false, false, false, false, false, false],
    );
  });

  it('accepts RFC 5322 atext in the local part and refuses the rest', () => {
    const valid = ["o'neil@example.com", 'a!#$%&*/=?^_`{|}~-z@example.com', 'x.y.z@sub-domain.example.co.uk', 'a1@xn--bcher-kva.example'];
    expect(valid.map(isPlausibleEmail)).toEqual([true, true, true, true]);
    const invalid = [
      '.ann@example.com',
      'ann.@example.com',
      'an..n@example.com',
      '"ann"@example.com',
      'ann(x)@example.com',
      'a,b@example.com',
      'a<b>@example.com',
      'ann@-example.com',
      'ann@example-.com',
      'ann@example..com',
      'ann@example.c_m',
      'ann@[127.0.0.1]',
      'ann@example.123',
      `${'a'.repeat(65)}@example.com`,
      `a@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.${'e'.repeat(63)}.com`,
    ];
    expect(invalid.map(isPlausibleEmail)).toEqual(invalid.map(() => false));
  });

  it('refuses an email that a spreadsheet would read as a formula', () => {
    const formulas = ['=hyperlink("http://evil","x")@example.com', '=cmd|calc@example.com', '+1234@example.com', '-x@example.com', '@sum@example.com'];
    expect(formulas.map(isPlausibleEmail)).toEqual([false, false, false, false, false]);
    expect(['a=b@example.com', 'a+b@example.com', 'a-b@example.com'].map(isPlausibleEmail)).toEqual([true, true, true]);
  });
});

describe('UsersIdentityResolver', () => {
  const users = usersOf([
    ['u1', ' Ann@Example.com ', 'Ann', 'Lee'],
    ['u2', 'bob@example.com', 'Bob', ''],
    ['u3', 'ann@example.com', 'Annie', 'Lee'],
    ['u4', '', 'Cy', 'Moe'],
    ['u5', 'not-an-email', 'Di', 'Fox'],
    ['u6', 'ANN@example.com', 'Anna', 'L'],
    ['u7', 'cy moe@example.com', 'Cy', 'Moe'],
  ]);
  const resolver = new UsersIdentityResolver(users);

  it('merges USER_IDs sharing an email into the first one, keeps its rank and names, counts every reason', () => {
    const resolved = resolver.resolve(['u3', 'u9', 'u2', 'u4', 'u1', 'u5', 'u6', 'u7']);
    expect(resolved.members).toEqual([
      { email: 'ann@example.com', userIds: ['u3', 'u1', 'u6'], firstName: 'Annie', lastName: 'Lee', rank: 1 },
      { email: 'bob@example.com', userIds: ['u2'], firstName: 'Bob', rank: 3 },
    ]);
    expect(resolved.unmatched).toEqual({ unknownUser: 1, missingEmail: 1, invalidEmail: 2 });
    expect(resolved.mergedDuplicates).toBe(2);
  });

  it('counts formula-looking emails as invalid and never makes them members', () => {
    const hostile = new UsersIdentityResolver(
      usersOf([
        ['h1', '=HYPERLINK("http://evil","x")@example.com', 'Eve', 'Hack'],
        ['h2', '+cmd@example.com', 'Eve', 'Plus'],
        ['h3', 'ok@example.com', '=cmd|calc!A1', 'Safe'],
      ]),
    );
    const resolved = hostile.resolve(['h1', 'h2', 'h3']);
    expect(resolved.members).toEqual([{ email: 'ok@example.com', userIds: ['h3'], firstName: '=cmd|calc!A1', lastName: 'Safe', rank: 3 }]);
    expect(resolved.unmatched).toEqual({ unknownUser: 0, missingEmail: 0, invalidEmail: 2 });
  });

  it('takes a repeated USER_ID once, at its first position', () => {
    const resolved = resolver.resolve(['u2', 'u2', 'u1']);
    expect(resolved.members.map((member) => [member.email, member.rank, member.userIds])).toEqual([
      ['bob@example.com', 1, ['u2']],
      ['ann@example.com', 3, ['u1']],
    ]);
    expect(resolved.mergedDuplicates).toBe(0);
  });

  it('gives the same answer twice and an empty answer for an empty list', () => {
    const list = ['u6', 'u1', 'u2'];
    expect(resolver.resolve(list)).toEqual(resolver.resolve(list));
    expect(resolver.resolve([])).toEqual({
      members: [],
      unmatched: { unknownUser: 0, missingEmail: 0, invalidEmail: 0 },
      mergedDuplicates: 0,
    });
  });

  it('resolves the 6,000 retail users to 5,724 members (one per distinct email)', async () => {
    const retail = await readUsers('data/retail-demo-store/users.csv.gz');
    const allIds = [...retail.byId.keys()];
    const resolved = new UsersIdentityResolver(retail).resolve(allIds);
    expect(allIds.length).toBe(6_000);
    expect(resolved.members.length).toBe(5_724);
    expect(resolved.mergedDuplicates).toBe(276);
    expect(resolved.unmatched).toEqual({ unknownUser: 0, missingEmail: 0, invalidEmail: 0 });
    expect(resolved.members[0]).toEqual({
      email: 'mark.johnson@example.com',
      userIds: ['1', '832'],
      firstName: 'Mark',
      lastName: 'Johnson',
      rank: 1,
    });
    expect(resolved.members.find((member) => member.rank === 13)!.userIds).toEqual(['13', '3298', '4214']);
  });
});
