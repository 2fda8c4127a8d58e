/** Path of the committed JSON Schema of campaign files, relative to the repository root. */
export const CAMPAIGN_JSON_SCHEMA_PATH = 'schema/campaign.schema.json';
