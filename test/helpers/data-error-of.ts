/** Awaits a promise that must reject with a DataError, and returns that error. */
import { expect } from 'vitest';
import { DataError } from '../../src/core/errors.js';

export async function dataErrorOf(promise: Promise<unknown>): Promise<DataError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DataError);
  return error as DataError;
}
