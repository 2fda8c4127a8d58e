/**
 * HubSpot lists v3: find or create a MANUAL contact list, page its memberships, change them.
 * https://developers.hubspot.com/docs/guides/api/crm/lists/overview
 */
import { PermanentError } from '../../src/core/errors.js';
import { errorBodyOf, hasSubCategory, type HubSpotApiException } from './hubspot-error.js';
import { MEMBERSHIPS_PER_PAGE } from './hubspot-limits.js';
import type { HubSpotPortal } from './hubspot-portal.js';

/** Object type id of contacts. */
export const CONTACT_OBJECT_TYPE_ID = '0-1';

/** The fields of a HubSpot list the connector uses. */
export interface HubSpotList {
  listId: string;
  name: string;
  processingType: string;
  deletedAt?: Date;
}

/** Changes one `add-and-remove` call made (record ids). */
export interface MembershipChange {
  added: string[];
  removed: string[];
  /** Ids HubSpot does not know (deleted contacts): `recordIdsMissing`. */
  missing: string[];
}

function isListNotFound(error: HubSpotApiException): boolean {
  const body = errorBodyOf(error);
  // The not-found status of "get by name" is undocumented: 404, or 400 saying the list does not exist.
  return (
    error.code === 404 ||
    (error.code === 400 && (body.category === 'OBJECT_NOT_FOUND' || /does not exist|not found/i.test(body.message ?? '')))
  );
}

/** The contact list named `name` (exact), or undefined. Deleted lists are not found by name. */
export async function findListByName(portal: HubSpotPortal, name: string): Promise<HubSpotList | undefined> {
  const found = await portal.call(
    'finding the list by name',
    () => portal.client.crm.lists.listsApi.getByNameWithHttpInfo(name, CONTACT_OBJECT_TYPE_ID),
    (error) => (isListNotFound(error) ? { value: undefined } : undefined),
  );
  return found?.list;
}

/** The list with this id, deleted ones included (with `deletedAt`), or undefined. */
export async function getListById(portal: HubSpotPortal, listId: string): Promise<HubSpotList | undefined> {
  const found = await portal.call(
    'reading the list',
    () => portal.client.crm.lists.listsApi.getByIdWithHttpInfo(listId),
    (error) => (isListNotFound(error) ? { value: undefined } : undefined),
  );
  return found?.list;
}

/**
 * Creates a MANUAL contact list; when another run created one with this name meanwhile
 * (`ILS.DUPLICATE_LIST_NAMES`), returns that one with `created: false`.
 */
export async function createContactList(portal: HubSpotPortal, name: string): Promise<{ list: HubSpotList; created: boolean }> {
  const response = await portal.call(
    'creating the list',
    () =>
      portal.client.crm.lists.listsApi.createWithHttpInfo({
        name,
        objectTypeId: CONTACT_OBJECT_TYPE_ID,
        processingType: 'MANUAL',
      }),
    (error) => (hasSubCategory(errorBodyOf(error), 'ILS.DUPLICATE_LIST_NAMES') ? { value: undefined } : undefined),
  );
  if (response) return { list: response.list, created: true };
  const raced = await findListByName(portal, name);
  if (!raced) {
    throw new PermanentError(`HubSpot says a list named "${name}" exists, but it cannot be found by that name`);
  }
  return { list: raced, created: false };
}

/**
 * Throws when the list must not be written: deleted (`deletedAt`) or not MANUAL (its members are
 * computed by HubSpot).
 */
export function assertWritableList(list: HubSpotList): void {
  if (list.deletedAt) {
    throw new PermanentError(
      `HubSpot list "${list.name}" (id ${list.listId}) was deleted on ${list.deletedAt.toISOString()}; it is never written to. Restore it in HubSpot (within 90 days) or give the destination another list name`,
    );
  }
  if (list.processingType !== 'MANUAL') {
    throw new PermanentError(
      `HubSpot list "${list.name}" (id ${list.listId}) is a ${list.processingType} list whose members HubSpot computes; only MANUAL lists are written. Give the destination another list name`,
    );
  }
}

/** Explains a 404 on a list we hold the id of: deleted (`deletedAt`), or gone for good. */
async function throwWhyListIsGone(portal: HubSpotPortal, listId: string): Promise<never> {
  const list = await getListById(portal, listId);
  if (list) assertWritableList(list);
  throw new PermanentError(`HubSpot list id ${listId} no longer exists; it is never written to`);
}

/**
 * The list's member record ids, one page (≤ 250) at a time.
 * @throws PermanentError when the list is gone (deleted)
 */
export async function* membershipPages(portal: HubSpotPortal, listId: string): AsyncGenerator<string[]> {
  let after: string | undefined;
  do {
    const page = await portal.call(
      'reading the list memberships',
      () => portal.client.crm.lists.membershipsApi.getPageWithHttpInfo(listId, after, undefined, MEMBERSHIPS_PER_PAGE),
      (error) => (error.code === 404 ? { value: undefined } : undefined),
    );
    if (!page) return throwWhyListIsGone(portal, listId);
    yield page.results.map((membership) => membership.recordId);
    after = page.paging?.next?.after;
  } while (after);
}

/**
 * One `PUT /crm/v3/lists/{listId}/memberships/add-and-remove` call; HubSpot ignores existing members.
 * @throws PermanentError when the list is gone (deleted)
 */
export async function addAndRemoveMemberships(
  portal: HubSpotPortal,
  listId: string,
  recordIdsToAdd: string[],
  recordIdsToRemove: string[],
): Promise<MembershipChange> {
  const response = await portal.call(
    'changing the list memberships',
    () => portal.client.crm.lists.membershipsApi.addAndRemoveWithHttpInfo(listId, { recordIdsToAdd, recordIdsToRemove }),
    (error) => (error.code === 404 ? { value: undefined } : undefined),
  );
  if (!response) return throwWhyListIsGone(portal, listId);
  return {
    // The SDK's field is `recordsIdsAdded` (HubSpot's spelling); `recordIdsAdded` would be dropped.
    added: response.recordsIdsAdded ?? [],
    removed: response.recordIdsRemoved ?? [],
    missing: response.recordIdsMissing ?? [],
  };
}

/**
 * `DELETE /crm/v3/lists/{listId}` (204): HubSpot keeps a deleted list restorable for 90 days; its
 * contacts are untouched. A list already gone (404) is fine.
 */
export async function deleteList(portal: HubSpotPortal, listId: string): Promise<void> {
  await portal.call(
    'deleting the list',
    () => portal.client.crm.lists.listsApi.removeWithHttpInfo(listId),
    (error) => (error.code === 404 ? { value: undefined } : undefined),
  );
}
