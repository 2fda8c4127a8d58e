/**
 * The {@link SyncLedger} of one audience over the state store: its snapshot keyed by the SHA-256 of
 * the normalised email, and the chunks in flight.
 */
import { randomUUID } from 'node:crypto';
import type { AudienceMember } from '../identity/identity-resolver.js';
import type { AudienceRef } from '../sync/destination-connector.js';
import type { SyncLedger } from '../sync/sync-ledger.js';
import { emailHash } from './email-hash.js';
import type { AudienceKey, SnapshotMember, StateStore } from './state-store.js';

export interface AudienceLedgerOptions {
  store: StateStore;
  key: AudienceKey;
  connector: string;
  audience: AudienceRef;
  runId: string;
  /** Read only: a dry run plans against the snapshot and writes nothing. */
  dryRun: boolean;
  /** `run --full-resync`. */
  fullResync: boolean;
  /** Send every member again when the last full sync is older than this (milliseconds); undefined: never. */
  fullResyncEveryMs?: number;
  now?: Date;
}

function snapshotMember(member: AudienceMember, hash: string): SnapshotMember {
  return { emailHash: hash, userIds: member.userIds, rank: member.rank };
}

/** Opens the ledger: records the audience (unless a dry run) and loads its snapshot and chunks in flight. */
export async function openAudienceLedger(options: AudienceLedgerOptions): Promise<SyncLedger> {
  const { store, audience, dryRun, runId } = options;
  const record = dryRun || audience.id === ''
    ? await store.getAudience(options.key)
    : await store.saveAudience({ ...options.key, connector: options.connector, externalId: audience.id, location: audience.location ?? null });
  const usable = record !== undefined && (audience.id === '' || record.externalId === audience.id);
  if (record && audience.created && !dryRun) await store.clearSnapshot(record.audienceId);
  // Hashes only: the plan needs nothing else, and full rows cost several times the memory.
  const snapshot = usable && !audience.created ? await store.loadSnapshotHashes(record.audienceId) : new Set<string>();
  const inFlight = usable && !dryRun ? await store.chunksInFlight(record.audienceId) : new Set<string>();
  const now = (options.now ?? new Date()).getTime();
  const lastFull = record?.lastFullSyncAt ? Date.parse(record.lastFullSyncAt) : undefined;
  // An audience whose first sync never finished has no full sync yet: its snapshot is still trusted, and its first finished sync counts as one.
  const fullResyncDue = options.fullResync || (options.fullResyncEveryMs !== undefined && lastFull !== undefined && now - lastFull >= options.fullResyncEveryMs);
  const hashes = new Map<string, string>();
  const hashOf = (email: string): string => {
    let hash = hashes.get(email);
    if (hash === undefined) {
      hash = emailHash(email);
      hashes.set(email, hash);
    }
    return hash;
  };
  const write = !dryRun && record !== undefined;
  const audienceId = record?.audienceId ?? '';

  return {
    get snapshotSize() {
      return snapshot.size;
    },
    fullResyncDue,
    inFlightSize: inFlight.size,
    has: (email) => snapshot.has(hashOf(email)),
    async reconcile(current, desired) {
      const currentHashes = new Set([...current].map(hashOf));
      const joined = desired.filter((member) => current.has(member.email) && !snapshot.has(hashOf(member.email)));
      const gone = [...snapshot].filter((hash) => !currentHashes.has(hash));
      const recovered = [...inFlight].filter((hash) => currentHashes.has(hash)).length;
      for (const hash of gone) snapshot.delete(hash);
      for (const member of joined) snapshot.add(hashOf(member.email));
      if (write) {
        await store.confirmChunk(audienceId, '', runId, joined.map((member) => snapshotMember(member, hashOf(member.email))), gone);
        await store.clearChunksInFlight(audienceId);
      }
      inFlight.clear();
      return { recovered };
    },
    async begin(add) {
      const chunkId = randomUUID();
      if (write && add.length > 0) await store.beginChunk(audienceId, chunkId, runId, add.map((member) => hashOf(member.email)));
      return chunkId;
    },
    async confirm(chunkId, add, outcomes) {
      const byEmail = new Map(add.map((member) => [member.email, member]));
      const present: SnapshotMember[] = [];
      const gone: string[] = [];
      for (const outcome of outcomes) {
        const member = byEmail.get(outcome.email);
        if (member && (outcome.kind === 'added' || outcome.kind === 'alreadyMember')) present.push(snapshotMember(member, hashOf(member.email)));
        else if (outcome.kind === 'removed') gone.push(hashOf(outcome.email));
      }
      for (const member of present) snapshot.add(member.emailHash);
      for (const hash of gone) snapshot.delete(hash);
      if (write) await store.confirmChunk(audienceId, chunkId, runId, present, gone);
    },
    async finish({ fullSync }) {
      if (write) await store.touchAudience(audienceId, runId, { fullSync: fullSync || lastFull === undefined });
    },
  };
}
