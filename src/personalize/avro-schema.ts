/**
 * Avro schemas of the Personalize datasets, as CreateSchema takes them.
 *
 * Rules: Personalize developer guide, "Creating schema JSON files" / "Datasets and schemas"
 * (`../shared/reference/personalize.md` §4): Interactions need USER_ID and ITEM_ID (string) and
 * TIMESTAMP (long), EVENT_TYPE is a reserved string; a string metadata column is used in
 * training only when flagged `categorical` or `textual`; optional fields are unions with "null".
 */

/** One field of a Personalize Avro schema. */
export interface AvroField {
  name: string;
  type: string | string[];
  categorical?: true;
  textual?: true;
}

/** A Personalize Avro schema (the JSON text goes to CreateSchema's `schema`). */
export interface AvroSchema {
  type: 'record';
  name: 'Interactions' | 'Items' | 'Users';
  namespace: 'com.amazonaws.personalize.schema';
  fields: AvroField[];
  version: '1.0';
}

/** How a metadata column is declared. */
export type MetadataKind = 'categorical' | 'textual' | 'int' | 'float' | 'long';

/** A metadata field: nullable, with its flag. */
export function metadataField(name: string, kind: MetadataKind): AvroField {
  if (kind === 'categorical') return { name, type: ['null', 'string'], categorical: true };
  if (kind === 'textual') return { name, type: ['null', 'string'], textual: true };
  return { name, type: ['null', kind] };
}

/** A schema with the given fields. */
export function avroSchema(name: AvroSchema['name'], fields: AvroField[]): AvroSchema {
  return { type: 'record', name, namespace: 'com.amazonaws.personalize.schema', fields, version: '1.0' };
}
