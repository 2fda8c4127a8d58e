/**
 * The DestinationConnector port. A connector is a declarative object (`connectors/<id>/`) that
 * only knows the small verbs of its vendor's API; the core sync engine (`src/sync/`) does the
 * chunking, concurrency, rate limiting, retries, diffing (mirror mode) and dry runs.
 */
import type { z } from 'zod';
import type { AudienceMember } from '../identity/identity-resolver.js';
import type { Logger } from '../core/logger.js';
import type { RetirePolicy } from '../lifecycle/retire-policy.js';
import type { RateBudgets } from '../rate-budget/rate-budgets.js';

/** How an audience follows its segment. */
export type SyncMode = 'additive' | 'mirror';

/**
 * - `additive`: add every member of the segment; never remove anyone.
 * - `mirror`: also remove the audience's members that are no longer in the segment. Only audiences
 *   this tool made (its tag, list or file) are ever mirrored: removing people nobody added is never ours.
 */
export const SYNC_MODES: Record<SyncMode, { adds: boolean; removesStale: boolean }> = {
  additive: { adds: true, removesStale: false },
  mirror: { adds: true, removesStale: true },
};

/** Vendor limits the core honours. Each connector cites the vendor doc for each number. */
export interface ConnectorLimits {
  /** Most records in one `apply` call. */
  batchSize: number;
  /** Most `apply` calls in flight at once for one credential. */
  concurrency: number;
  /** Optional request budget: at most `requests` per `intervalMs` milliseconds. */
  requestsPerInterval?: { requests: number; intervalMs: number };
}

/** What the core asks a connector to make or find. */
export interface AudienceSpec {
  /** Audience name after rendering the destination's name template (tag, list name, file stem). */
  name: string;
  /** Campaign name. */
  campaign: string;
  /** Human-readable query of the segment. */
  query: string;
  /** Id of this run (deterministic per campaign and schedule slot). */
  runId: string;
}

/** An audience in the destination. */
export interface AudienceRef {
  /** Vendor id (Mailchimp segment id, HubSpot list id, file path). */
  id: string;
  name: string;
  /** True when this run created it. */
  created: boolean;
  /** Where a person finds it (a file path, an audience and tag), for reports. */
  location?: string;
}

/** Result of one record, returned, never thrown. */
export type RecordOutcome =
  | { email: string; kind: 'added' }
  | { email: string; kind: 'alreadyMember' }
  | { email: string; kind: 'removed' }
  | { email: string; kind: 'skipped'; reason: string }
  | { email: string; kind: 'failed'; retryable: boolean; code: string; reason?: string };

export type OutcomeKind = RecordOutcome['kind'];

/** One chunk of work for `apply`: at most `limits.batchSize` records in all. */
export interface ApplyBatch {
  add: AudienceMember[];
  /** Emails to remove (mirror mode only). */
  remove: string[];
}

/** Everything a connector gets from the core; secrets come only from `env`. */
export interface ConnectorContext {
  /** The process environment (API keys, tokens). Never read secrets from campaign files. */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Directory relative paths in the destination config are resolved against. */
  baseDir: string;
  /**
   * Where request budgets per credential live: a queue worker passes its Redis ones, so every worker
   * using a credential spends one budget. @defaultValue this process's budgets
   */
  rateBudgets?: RateBudgets;
}

/** A connector opened for one destination of one campaign run. */
export interface ConnectorSession {
  /** Checks credentials and that the destination exists. @throws AuthError, ConfigError */
  testConnection(): Promise<string>;
  /**
   * Checks, with reads only, what the destination config needs before anything is written (e.g. a
   * merge field or contact property it fills); a run calls it for every destination before
   * building segments. @throws ConfigError naming the field
   */
  preflight?(): Promise<void>;
  /**
   * Finds the audience by name, or creates it unless `dryRun` (then `id` may be empty).
   * @throws AuthError, ConfigError, PermanentError, TransientError, RateLimitedError
   */
  ensureAudience(spec: AudienceSpec, options: { dryRun: boolean }): Promise<AudienceRef>;
  /**
   * Current members' emails (lower-cased), in pages, for the mirror diff. A connector without it
   * writes snapshots: in mirror mode every member of the segment goes to `apply` and the connector
   * replaces the whole audience at `commit` (nothing to remove one by one).
   */
  listMembers?(audience: AudienceRef): AsyncIterable<string[]>;
  /** Applies one chunk; one outcome per record. Must be idempotent. */
  apply(audience: AudienceRef, batch: ApplyBatch): Promise<RecordOutcome[]>;
  /** Called once after every chunk succeeded (e.g. the file connector renames its temp file). */
  commit?(audience: AudienceRef, summary: AudienceSummary): Promise<void>;
  /**
   * Retire verb (optional): deletes an audience this tool made and no run produces any more (the
   * tag, the list, the file and its manifest), where the vendor's API allows it. Members themselves
   * are never deleted or unsubscribed. An audience that is already gone is not an error.
   * @throws AuthError, PermanentError, TransientError, RateLimitedError
   */
  deleteAudience?(audience: AudienceRef): Promise<void>;
  /** Called when the sync failed: undo what is not yet visible (temp files). */
  abort?(audience: AudienceRef): Promise<void>;
  /** Releases clients. */
  close?(): Promise<void>;
}

/** Counts the core hands to `commit` (e.g. for a manifest). */
export interface AudienceSummary {
  spec: AudienceSpec;
  members: number;
  outcomes: Record<OutcomeKind, number>;
}

/**
 * A destination adapter. `configSchema` validates one entry of a campaign's `destinations`
 * (without secrets); `open` makes a session for it.
 */
export interface DestinationConnector<Config extends { connector: string } = { connector: string }> {
  /** Value of `connector:` in campaign files. */
  readonly id: string;
  /** zod schema of the destination entry, including `connector: <id>`. */
  readonly configSchema: z.ZodType<Config>;
  readonly limits: ConnectorLimits;
  readonly capabilities: {
    modes: readonly SyncMode[];
    /**
     * Whether chunks applied by an earlier, interrupted run are still there when the run resumes.
     * `false` (the file connector: its temp file is gone) makes a resumed run redo every chunk.
     * @defaultValue true
     */
    resumable?: boolean;
  };
  /** Sync mode of a configured destination (some connectors have a fixed one). */
  modeOf(config: Config): SyncMode;
  /** Audience name template of a configured destination, e.g. `affinity {{campaign}} {{query}}`. */
  audienceNameOf(config: Config): string;
  /** Mirror mode: the largest share of an audience one run may remove, when the destination sets one (`syncAudience`'s `maxRemovalShare`). */
  maxRemovalShareOf?(config: Config): number | undefined;
  /** The destination's `fullResyncEvery` (`7d`, `never`), when it sets one (see `full-resync-config.ts`). */
  fullResyncEveryOf?(config: Config): string | undefined;
  /** The destination's `retire:` policy when it sets one (the lifecycle step applies the default). */
  retirePolicyOf?(config: Config): RetirePolicy | undefined;
  open(config: Config, context: ConnectorContext): ConnectorSession;
}
