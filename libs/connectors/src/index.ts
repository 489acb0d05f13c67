import type { Connector, ProviderId } from '@tollgate/connector-sdk';
import { slackConnector } from './slack/slack.connector';

export { SlackConnector, slackConnector, SLACK_API, GOVSLACK_API } from './slack/slack.connector';
export { SLACK_SETTINGS_CATALOG, type SlackSettingKey } from './slack/slack.catalog';
export { normalizeSlackPosture, type SlackRawPosture } from './slack/slack.normalizer';

/** Every provider Tollgate can poll. Each connector lives in its own folder beside this file. */
export const connectorRegistry: ReadonlyMap<ProviderId, Connector> = new Map<ProviderId, Connector>([
  [slackConnector.provider, slackConnector],
]);
