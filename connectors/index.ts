/**
 * Registry of destination connectors. The campaign schema builds its `destinations` union from
 * this list; add a connector with one line.
 */
import type { DestinationConnector } from '../src/sync/destination-connector.js';
import { fileConnector } from './file/file-connector.js';
import { mailchimpConnector } from './mailchimp/mailchimp-connector.js';
import { hubspotConnector } from './hubspot/index.js';

export const destinationConnectors: DestinationConnector[] = [
  fileConnector,
  mailchimpConnector,
  hubspotConnector,
];
