/**
 * The SyncLedger port: what the sync engine remembers about one audience between runs, so a sync
 * sends only what changed and a resumed sync re-sends only what was never confirmed. The state
 * store implements it (`src/state/audience-ledger.ts`); without one, every run starts from nothing.
 */
import type { AudienceMember } from '../identity/identity-resolver.js';
import type { AudienceRef, RecordOutcome } from './destination-connector.js';

export interface SyncLedger {
  /** Members confirmed present (the snapshot). */
  readonly snapshotSize: number;
  /** True when this sync must send every member (`--full-resync`, or `fullResyncEvery` has passed). */
  readonly fullResyncDue: boolean;
  /** Members of chunks an interrupted attempt sent and never confirmed. */
  readonly inFlightSize: number;
  /** Whether a member (normalised email) is in the snapshot. */
  has(email: string): boolean;
  /**
   * Aligns the snapshot with the destination's members (all of them, normalised): members it
   * holds that the segment wants join the snapshot; snapshot members it does not hold leave it.
   * Chunks in flight are settled by this. Returns how many in-flight members the destination held.
   */
  reconcile(current: ReadonlySet<string>, desired: readonly AudienceMember[]): Promise<{ recovered: number }>;
  /** Records a chunk about to be sent; returns its id. */
  begin(add: readonly AudienceMember[]): Promise<string>;
  /** Records what a sent chunk did: added and already-present members join the snapshot, removed ones leave it. */
  confirm(chunkId: string, add: readonly AudienceMember[], outcomes: readonly RecordOutcome[]): Promise<void>;
  /** Marks the audience synced; `fullSync` when every member was sent (the first finished sync counts as one). */
  finish(options: { fullSync: boolean }): Promise<void>;
}

/** Opens the ledger of an audience once the connector has found or made it. */
export type OpenSyncLedger = (audience: AudienceRef) => Promise<SyncLedger>;
