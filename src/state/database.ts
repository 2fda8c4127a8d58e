/**
 * The tables of the sync-state store, as Kysely sees them. One interface for every dialect
 * (SQLite, PostgreSQL): times are ISO 8601 UTC strings (`toISOString()`, so they sort as text),
 * booleans are 0/1 integers, JSON is text. Each engineer appends their tables here and creates them
 * in a migration of their number range (see `migrations/README.md`).
 *
 * No email address is ever stored: members are kept by the SHA-256 of their normalised email.
 */
import type { Generated } from 'kysely';

/** What started a run. */
export type RunTrigger = 'cli' | 'enqueue' | 'schedule' | 'retry';

/** Where a run is: `running` until it ends; `skipped` when another run of the campaign held it. */
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'interrupted' | 'skipped';

/** One campaign run, whatever started it. */
export interface RunsTable {
  run_id: string;
  campaign: string;
  trigger: RunTrigger;
  status: RunStatus;
  /** 1 for a dry run (nothing written), else 0. */
  dry_run: number;
  started_at: string;
  finished_at: string | null;
  /** SHA-256 (hex) of the campaign file's bytes when the run started. */
  campaign_file_hash: string | null;
  /** The finished `CampaignReport` as JSON: counts, labels and audience names, never an email. */
  report: string | null;
  /** Why the run failed or was skipped (one line, no secrets). */
  error: string | null;
  /** Process exit code the run maps to (0 done, 1 failed, 2 bad input). */
  exit_code: number | null;
}

/** An audience this tool made or syncs (a Mailchimp tag, a HubSpot list, a file). */
export interface AudiencesTable {
  /** Random id (UUID). */
  audience_id: string;
  campaign: string;
  /** The campaign destination it belongs to: `<destination index>:<connector id>`. */
  destination_key: string;
  connector: string;
  /** Vendor id (Mailchimp segment id, HubSpot list id, file path); '' until created. */
  external_id: string;
  name: string;
  /** Where a person finds it (a file path, an audience and tag). */
  location: string | null;
  status: 'active' | 'retired';
  created_at: string;
  /** Last run that synced it (dry runs excluded). */
  last_run_id: string | null;
  last_synced_at: string | null;
  /** When every member was last sent (the first sync, `--full-resync`, `fullResyncEvery`). */
  last_full_sync_at: string | null;
}

/** The snapshot of one audience: members confirmed present in the destination. */
export interface AudienceMembersTable {
  audience_id: string;
  /** SHA-256 (hex) of the normalised (trimmed, lower-cased) email. */
  email_hash: string;
  /** USER_IDs behind this member, as a JSON array. */
  user_ids: string;
  /** 1-based rank in the segment of the run that confirmed it. */
  rank: number;
  /** Run that confirmed it (the run it was added in, or refreshed by). */
  run_id: string;
}

/** A chunk sent to the destination and not yet confirmed: what a resumed sync must check. */
export interface SyncChunksInFlightTable {
  audience_id: string;
  /** Random id of the chunk. */
  chunk_id: string;
  run_id: string;
  /** SHA-256 hashes of the chunk's added members' emails, as a JSON array. */
  email_hashes: string;
  started_at: string;
}

/** A lease: one holder at a time per name (e.g. one run per campaign), until `expires_at`. */
export interface LeasesTable {
  name: string;
  /** Who holds it (a run id). */
  holder: string;
  acquired_at: string;
  expires_at: string;
}

/** A user put in an audience (campaign + segment) by a run: frequency caps and exclusivity (controls). */
export interface PlacementsTable {
  user_id: string;
  campaign: string;
  /** The segment's label. */
  segment: string;
  run_id: string;
  placed_at: string;
}

/** The first time a user entered an arm of a campaign's segment (controls, lift). */
export interface HoldoutAssignmentsTable {
  campaign: string;
  segment: string;
  user_id: string;
  /** The segment's query as JSON (`{"itemId":…}` or `{"itemAttributes":…}`). */
  query: string;
  arm: 'treatment' | 'control';
  first_entered_at: string;
  run_id: string;
}

/** Every table of the store. */
export interface Database {
  runs: RunsTable;
  audiences: AudiencesTable;
  audience_members: AudienceMembersTable;
  leases: LeasesTable;
  run_results: RunResultsTable;
  record_failures: RecordFailuresTable;
  audience_retirements: AudienceRetirementsTable;
  placements: PlacementsTable;
  holdout_assignments: HoldoutAssignmentsTable;
  sync_chunks_in_flight: SyncChunksInFlightTable;
}

/** Kysely's helper type, re-exported so tables with generated columns can use it. */
export type { Generated };

/** Per segment × destination result of a run (history, issue 12). */
export interface RunResultsTable {
  run_id: string;
  campaign: string;
  started_at: string;
  destination_index: number;
  connector: string;
  segment_index: number;
  /** Segment label. */
  segment: string;
  query: string;
  /** Rendered audience name; null when nothing was synced. */
  audience: string | null;
  location: string | null;
  /** `synced`, `partly failed`, `failed`, `not synced` (the segment failed), `dry run`. */
  outcome: string;
  /** Members of the audience from this segment after the run (a dry run: planned). */
  members: number;
  added: number;
  already_member: number;
  removed: number;
  skipped: number;
  failed: number;
  /** JSON object: reason → count. */
  skip_reasons: string;
  /** JSON object: code → count. */
  failure_codes: string;
  error: string | null;
}

/** A record that failed in a run: who (USER_IDs, email hash) and why; never the email. */
export interface RecordFailuresTable {
  run_id: string;
  campaign: string;
  destination_index: number;
  connector: string;
  /** Rendered audience name. */
  audience: string;
  email_hash: string;
  /** JSON array of USER_IDs. */
  user_ids: string;
  code: string;
  reason: string | null;
  /** 1 when trying again may succeed. */
  retryable: number;
  created_at: string;
  /** The run that tried it again (the next run, or `retry-failed`). */
  retried_by_run_id: string | null;
  /** `resolved`, `failed again`, or null while open. */
  resolution: string | null;
}

/** What a run did to an audience it no longer produced. */
export interface AudienceRetirementsTable {
  audience_id: string;
  run_id: string;
  retired_at: string;
  policy: string;
  /** `kept`, `emptied`, `deleted`, `gone`, `refused`, `failed`. */
  outcome: string;
  removed: number;
  message: string | null;
}
