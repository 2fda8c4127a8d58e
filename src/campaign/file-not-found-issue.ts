import { ConfigError, DataError } from '../core/errors.js';

/**
 * When `error` says a file the campaign names does not exist, a ConfigError that points at the
 * campaign field naming it (`campaign.yaml: items.inventory.file: inventory.csv: file not found`);
 * otherwise undefined (the caller rethrows `error`).
 * @param written the path as the campaign file writes it; `resolved` the path that was read.
 */
export function fileNotFoundIssue(
  error: unknown,
  where: { file: string; field: string },
  written: string,
  resolved: string,
): ConfigError | undefined {
  if (!(error instanceof DataError)) return undefined;
  if (error.issues.length !== 1 || error.issues[0]?.message !== 'file not found') return undefined;
  const lookedFor = written === resolved ? '' : ` (looked for ${resolved}; paths are relative to the campaign file)`;
  return new ConfigError([{ ...where, message: `${written}: file not found${lookedFor}` }], { cause: error });
}
