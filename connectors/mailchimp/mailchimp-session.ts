/**
 * A Mailchimp session: one audience (list), its tags (static segments) and members.
 * Consent rules (reference/destinations.md §A3): never send `status` for an existing member, never
 * tag or change an unsubscribed, cleaned or archived member, create members only through
 * `status_if_new` when `newMembers` allows it.
 */
import { ConfigError, PermanentError } from '../../src/core/errors.js';
import { hashId } from '../../src/core/logger.js';
import type {
  ApplyBatch,
  AudienceRef,
  AudienceSpec,
  ConnectorContext,
  ConnectorSession,
  RecordOutcome,
} from '../../src/sync/destination-connector.js';
import type { AudienceMember } from '../../src/identity/identity-resolver.js';
import { normalizeEmail } from '../../src/identity/normalize-email.js';
import type { BatchSegmentMembersResult, MailchimpApi, MemberStatus } from './mailchimp-client.js';
import type { MailchimpConfig } from './mailchimp-config.js';
import { problemOf } from './mailchimp-errors.js';
import { subscriberHash } from './subscriber-hash.js';

/** Mailchimp tag names have at most 100 characters (Marketing API, "Tags": `name`). */
export const MAX_TAG_LENGTH = 100;
/** Largest `count` of a Mailchimp collection page. */
const PAGE_SIZE = 1000;
/** Statuses a member may be tagged in: they keep their consent as it is. */
const TAGGABLE: ReadonlySet<MemberStatus> = new Set(['subscribed', 'pending', 'transactional']);
/** 400 titles that mean this person must not be (re)added: a skip, never a retry (§A3). */
const CONSENT_TITLES = new Set(['Member In Compliance State', 'Forgotten Email Not Subscribed']);
/**
 * Mailchimp refuses to add an address that "has signed up to a lot of lists very recently" (400
 * `Invalid Resource`, a per-address throttle): it passes with time, so the record is a retryable
 * failure. Seen in the wild: ibericode/mailchimp-for-wordpress#506, JustFixNYC/tenants2#1576.
 */
const SIGNUP_THROTTLE = /signed up to a lot of lists very recently/i;
/** Failure code and reason of a throttled sign-up. */
export const SIGNUP_THROTTLED = {
  code: 'signupThrottled',
  reason: 'Mailchimp is holding back sign-ups of this address for now (it joined many lists recently); it passes with time, so the next run retries it',
} as const;
/** Skip reason of an email that is not in the audience while `newMembers` is `skip`. */
export const NOT_A_MEMBER = 'not a member';

export class MailchimpSession implements ConnectorSession {
  private readonly listId: string;
  private statuses?: Promise<Map<string, MemberStatus>>;
  private readonly segmentIds = new Map<string, AudienceRef>();
  private mergeFieldsChecked?: Promise<void>;

  constructor(
    private readonly api: MailchimpApi,
    private readonly config: MailchimpConfig,
    private readonly context: ConnectorContext,
  ) {
    this.listId = config.audienceId;
  }

  async testConnection(): Promise<string> {
    await this.api.ping();
    const list = await this.readList();
    const members = list.stats?.member_count;
    await this.preflight();
    const rankField = this.config.mergeFields?.rank;
    return `mailchimp: key accepted on server ${this.api.server}; audience ${list.id} "${list.name}"${members === undefined ? '' : ` has ${members} members`}${rankField ? `; merge field ${rankField} (rank) exists` : ''}`;
  }

  /**
   * Checks, once per session, that the merge fields of `mergeFields` exist in the audience.
   * @throws ConfigError naming `mergeFields.rank` when one does not
   */
  preflight(): Promise<void> {
    const rankField = this.config.mergeFields?.rank;
    if (!rankField) return Promise.resolve();
    this.mergeFieldsChecked ??= this.findMergeField(rankField).then((found) => {
      if (!found) {
        throw new ConfigError([
          {
            field: 'mergeFields.rank',
            message: `the Mailchimp audience ${this.listId} has no merge field ${rankField}: add a Number field with that merge tag (Audience → Settings → Audience fields and merge tags) or remove mergeFields.rank`,
          },
        ]);
      }
    }, (error: unknown) => {
      this.mergeFieldsChecked = undefined;
      return this.rethrowUnknownAudience(error);
    });
    return this.mergeFieldsChecked;
  }

  private async findMergeField(tag: string): Promise<boolean> {
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const page = await this.api.listMergeFields(this.listId, { count: PAGE_SIZE, offset });
      if (page.merge_fields.some((field) => field.tag.toUpperCase() === tag)) return true;
      if (page.merge_fields.length < PAGE_SIZE || offset + PAGE_SIZE >= page.total_items) return false;
    }
  }

  async ensureAudience(spec: AudienceSpec, options: { dryRun: boolean }): Promise<AudienceRef> {
    await this.preflight();
    const name = spec.name;
    if (name.length > MAX_TAG_LENGTH) {
      throw new ConfigError([{ field: 'tag', message: `renders "${name.slice(0, 40)}…" with ${name.length} characters; Mailchimp tag names have at most ${MAX_TAG_LENGTH}: shorten the template or use {{label}}` }]);
    }
    const key = name.toLowerCase();
    const known = this.segmentIds.get(key);
    if (known) return { ...known, created: false };
    const found = await this.findSegment(key).catch((error: unknown) => this.rethrowUnknownAudience(error));
    if (found) {
      const ref = { id: String(found.id), name: found.name, created: false, location: this.locationOf(found.name) };
      this.segmentIds.set(key, ref);
      return ref;
    }
    if (options.dryRun) return { id: '', name, created: false, location: this.locationOf(name) };
    const created = await this.api.createSegment(this.listId, name);
    const ref = { id: String(created.id), name: created.name, created: true, location: this.locationOf(created.name) };
    this.segmentIds.set(key, ref);
    this.context.logger.info({ connector: 'mailchimp', tag: hashId(name), segmentId: ref.id }, 'tag created');
    return ref;
  }

  async *listMembers(audience: AudienceRef): AsyncIterable<string[]> {
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const page = await this.api.listSegmentMembers(this.listId, audience.id, { count: PAGE_SIZE, offset });
      yield page.members.map((member) => normalizeEmail(member.email_address));
      if (page.members.length < PAGE_SIZE || offset + PAGE_SIZE >= page.total_items) return;
    }
  }

  /** Deletes the tag (static segment); a tag already gone (404) is fine. Members stay in the audience. */
  async deleteAudience(audience: AudienceRef): Promise<void> {
    if (audience.id === '') return;
    try {
      await this.api.deleteSegment(this.listId, audience.id);
    } catch (error) {
      if (!(error instanceof PermanentError && problemOf(error.cause)?.status === 404)) throw error;
    }
    this.segmentIds.delete(audience.name.toLowerCase());
    this.context.logger.info({ connector: 'mailchimp', tag: hashId(audience.name), segmentId: audience.id }, 'tag deleted');
  }

  async apply(audience: AudienceRef, batch: ApplyBatch): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = [];
    if (batch.add.length > 0) outcomes.push(...(await this.tag(audience, batch.add)));
    if (batch.remove.length > 0) outcomes.push(...(await this.untag(audience, batch.remove)));
    return outcomes;
  }

  private async tag(audience: AudienceRef, members: AudienceMember[]): Promise<RecordOutcome[]> {
    const statuses = await this.memberStatuses();
    const outcomes: RecordOutcome[] = [];
    const toTag: string[] = [];
    const newcomers: AudienceMember[] = [];
    for (const member of members) {
      const status = statuses.get(member.email);
      if (status === undefined) {
        if (this.config.newMembers === 'skip') outcomes.push({ email: member.email, kind: 'skipped', reason: NOT_A_MEMBER });
        else newcomers.push(member);
      } else if (TAGGABLE.has(status)) {
        toTag.push(member.email);
      } else {
        outcomes.push({ email: member.email, kind: 'skipped', reason: status });
      }
    }
    const created = await Promise.all(newcomers.map((member) => this.addMember(member, statuses)));
    for (const [index, result] of created.entries()) {
      const email = newcomers[index]!.email;
      if (result === 'taggable') toTag.push(email);
      else outcomes.push(result);
    }
    if (toTag.length === 0) return outcomes;
    const answer = await this.api.batchSegmentMembers(this.listId, audience.id, { members_to_add: toTag });
    const tagged = segmentOutcomes(toTag, answer, 'added');
    return [...outcomes, ...(await this.writeRanks(members, tagged))];
  }

  /**
   * Sets the rank merge field (`mergeFields.rank`) of every member just tagged, one PATCH each within
   * the connection budget; a member Mailchimp refuses the value of is reported failed.
   */
  private async writeRanks(members: AudienceMember[], tagged: RecordOutcome[]): Promise<RecordOutcome[]> {
    const rankField = this.config.mergeFields?.rank;
    if (!rankField) return tagged;
    const rankOf = new Map(members.map((member) => [member.email, member.rank]));
    return Promise.all(
      tagged.map(async (outcome): Promise<RecordOutcome> => {
        const rank = rankOf.get(outcome.email);
        if ((outcome.kind !== 'added' && outcome.kind !== 'alreadyMember') || rank === undefined) return outcome;
        try {
          await this.api.updateMemberMergeFields(this.listId, subscriberHash(outcome.email), { [rankField]: rank });
          return outcome;
        } catch (error) {
          const problem = problemOf((error as { cause?: unknown }).cause);
          if (problem?.status === 400) return { email: outcome.email, kind: 'failed', retryable: false, code: `${rankField} rejected: ${problem.title}` };
          throw error;
        }
      }),
    );
  }

  private async untag(audience: AudienceRef, emails: string[]): Promise<RecordOutcome[]> {
    const answer = await this.api.batchSegmentMembers(this.listId, audience.id, { members_to_remove: emails });
    return segmentOutcomes(emails, answer, 'removed');
  }

  /** Adds one person with `status_if_new`; an existing member's status is left as it is. */
  private async addMember(member: AudienceMember, statuses: Map<string, MemberStatus>): Promise<RecordOutcome | 'taggable'> {
    const statusIfNew = this.config.newMembers === 'transactional' ? 'transactional' : 'pending';
    const mergeFields: Record<string, string> = {};
    if (member.firstName) mergeFields.FNAME = member.firstName;
    if (member.lastName) mergeFields.LNAME = member.lastName;
    try {
      const saved = await this.api.upsertMember(this.listId, subscriberHash(member.email), {
        email_address: member.email,
        status_if_new: statusIfNew,
        ...(Object.keys(mergeFields).length > 0 ? { merge_fields: mergeFields } : {}),
      });
      statuses.set(member.email, saved.status);
      return TAGGABLE.has(saved.status) ? 'taggable' : { email: member.email, kind: 'skipped', reason: saved.status };
    } catch (error) {
      const problem = problemOf((error as { cause?: unknown }).cause);
      if (problem?.status === 400 && CONSENT_TITLES.has(problem.title)) return { email: member.email, kind: 'skipped', reason: problem.title };
      if (problem?.status === 400 && SIGNUP_THROTTLE.test(problem.detail)) return { email: member.email, kind: 'failed', retryable: true, ...SIGNUP_THROTTLED };
      if (problem?.status === 400) return { email: member.email, kind: 'failed', retryable: false, code: problem.title || 'Bad Request' };
      throw error;
    }
  }

  /** Email → status of every audience member, read once per session (pages in parallel, within the connection budget). */
  private memberStatuses(): Promise<Map<string, MemberStatus>> {
    this.statuses ??= this.readMemberStatuses().catch((error: unknown) => {
      this.statuses = undefined;
      throw error;
    });
    return this.statuses;
  }

  private async readMemberStatuses(): Promise<Map<string, MemberStatus>> {
    const statuses = new Map<string, MemberStatus>();
    const first = await this.api.listMembers(this.listId, { count: PAGE_SIZE, offset: 0 });
    const offsets: number[] = [];
    for (let offset = PAGE_SIZE; offset < first.total_items; offset += PAGE_SIZE) offsets.push(offset);
    const rest = await Promise.all(offsets.map((offset) => this.api.listMembers(this.listId, { count: PAGE_SIZE, offset })));
    for (const page of [first, ...rest]) {
      for (const member of page.members) statuses.set(normalizeEmail(member.email_address), member.status);
    }
    this.context.logger.debug({ connector: 'mailchimp', members: statuses.size }, 'audience statuses read');
    return statuses;
  }

  private locationOf(tag: string): string {
    return `Mailchimp audience ${this.listId}, tag "${tag}"`;
  }

  private async findSegment(lowerName: string): Promise<{ id: number; name: string } | undefined> {
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const page = await this.api.listSegments(this.listId, { count: PAGE_SIZE, offset });
      const match = page.segments.find((segment) => segment.name.trim().toLowerCase() === lowerName);
      if (match) return match;
      if (page.segments.length < PAGE_SIZE || offset + PAGE_SIZE >= page.total_items) return undefined;
    }
  }

  private async readList() {
    return this.api.getList(this.listId).catch((error: unknown) => this.rethrowUnknownAudience(error));
  }

  /** A 404 on the list (or its tags) means a wrong `audienceId`: a ConfigError (exit 2), not a failed run. */
  private rethrowUnknownAudience(error: unknown): never {
    if (error instanceof PermanentError && problemOf(error.cause)?.status === 404) {
      throw new ConfigError([{ field: 'audienceId', message: `Mailchimp has no audience "${this.listId}" on server ${this.api.server}` }], { cause: error });
    }
    throw error;
  }
}

/**
 * One outcome per email of a `batchSegmentMembers` answer: listed as added/removed → that kind;
 * in `errors[]` → skipped (not a member) or failed; in neither → already in that state.
 */
function segmentOutcomes(emails: string[], answer: BatchSegmentMembersResult | null, done: 'added' | 'removed'): RecordOutcome[] {
  const changed = new Set((done === 'added' ? answer?.members_added : answer?.members_removed)?.map((member) => normalizeEmail(member.email_address)));
  const errors = new Map<string, string>();
  for (const entry of answer?.errors ?? []) for (const email of entry.email_addresses) errors.set(normalizeEmail(email), entry.error);
  return emails.map((email): RecordOutcome => {
    if (changed.has(email)) return { email, kind: done };
    const error = errors.get(email);
    if (error !== undefined) {
      return /not (a )?(list )?member|not (in|on|part of|subscribed to) (the |this )?(list|audience)|(does not|doesn't|do not|don't) (exist|belong)/i.test(error)
        ? { email, kind: 'skipped', reason: NOT_A_MEMBER }
        : { email, kind: 'failed', retryable: false, code: 'tagRejected' };
    }
    return done === 'added' ? { email, kind: 'alreadyMember' } : { email, kind: 'removed' };
  });
}
