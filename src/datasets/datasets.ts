/**
 * In-memory form of the three Personalize datasets, column-oriented in typed arrays so that tens
 * of millions of interactions never become one object each.
 *
 * Layout: Amazon Personalize developer guide, "Preparing training data" / "Datasets and schemas"
 * (Interactions: USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE[, EVENT_VALUE]; Items: ITEM_ID + metadata,
 * multiple categorical values joined by `|`; Users: USER_ID + metadata). We add EMAIL, FIRST_NAME
 * and LAST_NAME to the users dataset for identity resolution.
 */

/** Interactions, one row per event, in file order. Index `k` of every array is row `k`. */
export interface Interactions {
  /** Distinct USER_IDs, in order of first appearance; a user index points here. */
  userIds: string[];
  /** Distinct ITEM_IDs, in order of first appearance; an item index points here. */
  itemIds: string[];
  /** Distinct EVENT_TYPE values ('' when the column is absent); an event code points here. */
  eventTypes: string[];
  /** Row count. */
  length: number;
  /** User index of each row. */
  user: Int32Array;
  /** Item index of each row (into `itemIds`, not into the items dataset). */
  item: Int32Array;
  /** TIMESTAMP of each row, Unix epoch seconds. */
  timestamp: Float64Array;
  /** Event-type code of each row (index into `eventTypes`). */
  eventType: Uint8Array;
}

/** How a column of the items dataset may be used. */
export type ItemColumnKind = 'categorical' | 'numeric' | 'textual';

/**
 * One metadata column of the items dataset. Names are upper-cased by the reader, so
 * `category_l1` in a header becomes `CATEGORY_L1`.
 */
export interface ItemColumn {
  /** Column name as in the header (e.g. `CATEGORY_L1`). */
  name: string;
  kind: ItemColumnKind;
  /**
   * Per item (same order as `Items.itemIds`): the values of this column. Categorical cells are
   * split on `|` into several values; an empty cell gives an empty list.
   */
  values: string[][];
  /** Numeric columns only: the value of each item as a number, NaN for an empty cell. */
  numbers?: Float64Array;
}

/** The items dataset. */
export interface Items {
  itemIds: string[];
  /** Row index of each ITEM_ID. */
  indexOf: Map<string, number>;
  /** Metadata columns, in header order, ITEM_ID excluded. */
  columns: ItemColumn[];
  /** CREATION_TIMESTAMP per item (epoch seconds) when the column exists, else undefined. */
  creationTimestamp?: Float64Array;
}

/** One row of the users dataset, as far as identity needs it. */
export interface UserRecord {
  userId: string;
  /** EMAIL as written in the file (normalisation happens in the identity resolver). */
  email: string;
  firstName: string;
  lastName: string;
}

/** The users dataset. */
export interface Users {
  /** USER_ID → record. */
  byId: Map<string, UserRecord>;
  /** Column names found in the header. */
  columns: string[];
}

/** All three datasets of one directory, with the files they came from. */
export interface Datasets {
  dir: string;
  interactions: Interactions;
  items: Items;
  users: Users;
  /** Paths of the files read; `users` is '' when the directory has no users file. */
  files: { interactions: string; items: string; users: string };
  /**
   * True when the directory has no users file: `users` is then empty, and whoever needs
   * identities (the pipeline) reports it as a ConfigError.
   */
  usersMissing?: boolean;
}
