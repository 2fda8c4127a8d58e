/**
 * What the console reads: runs (with each run's final report), audiences and their members' hashes,
 * alerts. A read-only port, implemented over the sync-state store; the pages never write.
 */
import type { CampaignReport } from '../pipeline/run-campaign.js';

/** An alert a run fired (issue "Run history … alerts"): the rule and its message, never an email. */
export interface ConsoleAlert {
  runId: string;
  campaign: string;
  /** `onFailure`, `minMembers`, `maxMemberChange`, `minMatchRate`, `staleDataDays`. */
  rule: string;
  message: string;
  /** ISO 8601. */
  firedAt: string;
}

/** A run of a campaign, from any trigger. */
export interface ConsoleRun {
  runId: string;
  campaign: string;
  /** `cli` (in-process `run`), `enqueue` or `schedule`. */
  trigger: string;
  /** As the store records it, e.g. `running`, `succeeded`, `failed`, `skipped`. */
  status: string;
  /** ISO 8601. */
  startedAt: string;
  finishedAt?: string;
  dryRun: boolean;
  /** SHA-256 (hex) of the campaign file as the run read it. */
  campaignFileHash?: string;
  /** The run's final report; absent while the run is in progress or when it failed before one was made. */
  report?: CampaignReport;
  /** Why the run failed as a whole (a message for people, not a stack trace). */
  error?: string;
  alerts: ConsoleAlert[];
}

/** An audience a campaign made in a destination. */
export interface ConsoleAudience {
  /** The store's id of the audience (used to ask for its members' hashes). */
  key: string;
  campaign: string;
  connector: string;
  destinationIndex: number;
  /** Tag, list name or file stem. */
  name: string;
  /** Vendor id: Mailchimp segment (tag) id, HubSpot list id, file path. */
  externalId: string;
  /** Mailchimp: the audience (list) id the tag belongs to. */
  containerId?: string;
  status: 'active' | 'retired';
  retiredReason?: string;
  /** Members at the last run that synced it. */
  members: number;
}

export interface ConsoleSource {
  /** Runs, newest first; of one campaign when `campaign` is given. */
  listRuns(options?: { campaign?: string; limit?: number }): Promise<ConsoleRun[]>;
  getRun(runId: string): Promise<ConsoleRun | undefined>;
  /** Active and retired audiences; of one campaign when given. */
  listAudiences(campaign?: string): Promise<ConsoleAudience[]>;
  /** SHA-256 hashes of the normalised emails of each audience's members, by audience key. */
  memberHashes(audienceKeys: readonly string[]): Promise<Map<string, readonly string[]>>;
  close?(): Promise<void>;
}
