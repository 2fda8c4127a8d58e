/**
 * The StateStore port: what the sync remembers between runs (runs, audiences and their member
 * snapshots, leases). One implementation over Kysely serves SQLite and PostgreSQL
 * ({@link openStateStore}). Modules that own further tables (history, controls, console) use
 * `db` directly, with their tables declared in `database.ts`.
 */
import type { Kysely } from 'kysely';
import type { AudiencesTable, Database, RunStatus, RunTrigger } from './database.js';

/** Which database engine holds the store. */
export type StateDialect = 'sqlite' | 'postgres';

/** A run as it starts. */
export interface NewRun {
  runId: string;
  campaign: string;
  trigger: RunTrigger;
  dryRun: boolean;
  /** SHA-256 (hex) of the campaign file's bytes. */
  campaignFileHash?: string;
  /** @defaultValue now */
  startedAt?: Date;
}

/** How a run ended. */
export interface RunEnd {
  status: Exclude<RunStatus, 'running'>;
  /** The finished report (a `CampaignReport`): counts only, never an email. Stored as JSON. */
  report?: unknown;
  /** One line: why it failed or was skipped. Must not hold a secret or an email. */
  error?: string;
  exitCode?: number;
  /** @defaultValue now */
  finishedAt?: Date;
}

/** A run as stored. */
export interface RunRecord {
  runId: string;
  campaign: string;
  trigger: RunTrigger;
  status: RunStatus;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string | null;
  campaignFileHash: string | null;
  /** The parsed report JSON, or null while running. */
  report: unknown;
  error: string | null;
  exitCode: number | null;
}

/** Which audience: one per campaign, destination and (rendered) audience name. */
export interface AudienceKey {
  campaign: string;
  /** `<destination index>:<connector id>` (see {@link destinationKey}). */
  destinationKey: string;
  name: string;
}

/** An audience as stored. */
export interface AudienceRecord extends AudienceKey {
  audienceId: string;
  connector: string;
  externalId: string;
  location: string | null;
  status: AudiencesTable['status'];
  createdAt: string;
  lastRunId: string | null;
  lastSyncedAt: string | null;
  /** When every member was last sent (first sync or full resync), ISO 8601. */
  lastFullSyncAt: string | null;
}

/** One member of an audience snapshot. */
export interface SnapshotMember {
  /** SHA-256 (hex) of the normalised email (see `emailHash`). */
  emailHash: string;
  userIds: readonly string[];
  rank: number;
}

/** A snapshot member with the run that confirmed it. */
export interface StoredSnapshotMember extends SnapshotMember {
  runId: string;
}

/** Result of {@link StateStore.acquireLease}. */
export type LeaseResult = { acquired: true; expiresAt: string } | { acquired: false; holder: string; expiresAt: string };

export interface StateStore {
  readonly dialect: StateDialect;
  /** Where the store lives, safe to print: the SQLite file, or "PostgreSQL (AFFINITY_STATE_URL)". */
  readonly location: string;
  /** The query builder over every table, for modules that own tables of their own. */
  readonly db: Kysely<Database>;

  /** Records a run as `running`. A run id seen before (a resumed run) is set back to `running`. */
  startRun(run: NewRun): Promise<void>;
  /** Records a new run (status `running`) only when no run has its id; false when the id is taken. */
  claimRunId(run: NewRun): Promise<boolean>;
  /** Records how a run ended, with its report. */
  finishRun(runId: string, end: RunEnd): Promise<void>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  /** Latest runs first, of one campaign or all. */
  listRuns(options?: { campaign?: string; limit?: number }): Promise<RunRecord[]>;

  getAudience(key: AudienceKey): Promise<AudienceRecord | undefined>;
  /**
   * Creates the audience row, or updates its connector, external id and location. When the
   * external id changed (the audience was made again, or the destination now points elsewhere)
   * its snapshot is cleared: it described another audience.
   */
  saveAudience(audience: AudienceKey & { connector: string; externalId: string; location?: string | null }): Promise<AudienceRecord>;
  /** Marks the audience as synced by `runId` now; `fullSync` when every member was sent. */
  touchAudience(audienceId: string, runId: string, options?: { fullSync?: boolean }): Promise<void>;

  /** The snapshot, by email hash. */
  loadSnapshot(audienceId: string): Promise<Map<string, StoredSnapshotMember>>;
  /**
   * The email hashes of the snapshot only: what a sync plans with. A fraction of
   * {@link loadSnapshot}'s memory (no USER_IDs, ranks or run ids), which matters at 100,000 members.
   */
  loadSnapshotHashes(audienceId: string): Promise<Set<string>>;
  /** Adds members confirmed present (or refreshes their USER_IDs, rank and run). */
  addToSnapshot(audienceId: string, members: readonly SnapshotMember[], runId: string): Promise<void>;
  /** Removes members confirmed gone. */
  removeFromSnapshot(audienceId: string, emailHashes: readonly string[]): Promise<void>;
  /** Forgets every member (a full resync starts from what the destination holds). */
  clearSnapshot(audienceId: string): Promise<void>;

  /** Records a chunk about to be sent: the hashes of the members it adds. */
  beginChunk(audienceId: string, chunkId: string, runId: string, emailHashes: readonly string[]): Promise<void>;
  /**
   * Confirms a chunk in one transaction: `present` join the snapshot, `gone` leave it, and the
   * chunk is no longer in flight.
   */
  confirmChunk(audienceId: string, chunkId: string, runId: string, present: readonly SnapshotMember[], gone: readonly string[]): Promise<void>;
  /** Hashes of the members of every chunk still in flight (sent by an attempt that never confirmed it). */
  chunksInFlight(audienceId: string): Promise<Set<string>>;
  /** Forgets the chunks in flight (once a resumed sync has checked them). */
  clearChunksInFlight(audienceId: string): Promise<void>;

  /**
   * Takes the lease `name` for `holder` for `ttlMs`, when it is free, expired or already
   * `holder`'s (then it is extended). Atomic across processes and machines.
   */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<LeaseResult>;
  /** Gives the lease back (only when `holder` still holds it). */
  releaseLease(name: string, holder: string): Promise<void>;

  /** Closes the connections. */
  close(): Promise<void>;
}

/** The destination key of a campaign's destination: `<index>:<connector id>`, e.g. `0:mailchimp`. */
export function destinationKey(destinationIndex: number, connector: string): string {
  return `${destinationIndex}:${connector}`;
}
