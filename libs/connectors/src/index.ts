import type { Connector, ProviderId } from '@tollgate/connector-sdk';
import { slackConnector } from './slack/slack.connector';
import { googleWorkspaceConnector } from './google-workspace/google-workspace.connector';
import { m365Connector } from './microsoft365/m365.connector';

export { SlackConnector, slackConnector, SLACK_API, GOVSLACK_API } from './slack/slack.connector';
export { SLACK_SETTINGS_CATALOG, type SlackSettingKey } from './slack/slack.catalog';
export { normalizeSlackPosture, type SlackRawPosture } from './slack/slack.normalizer';
export {
  GoogleWorkspaceConnector,
  googleWorkspaceConnector,
  GOOGLE_ADMIN_API,
  GOOGLE_CLOUDIDENTITY_API,
  GOOGLE_TOKEN_URL,
} from './google-workspace/google-workspace.connector';
export { GOOGLE_SETTINGS_CATALOG, type GoogleSettingKey } from './google-workspace/google.catalog';
export { normalizeGooglePosture, type GoogleRawPosture } from './google-workspace/google.normalizer';
export { M365Connector, m365Connector, M365_CLOUDS, type M365Cloud } from './microsoft365/m365.connector';
export { M365_SETTINGS_CATALOG, type M365SettingKey } from './microsoft365/m365.catalog';
export { normalizeM365Posture, type M365RawPosture } from './microsoft365/m365.normalizer';
export { GraphTokenCache, graphTokenCache } from './microsoft365/graph.client';

/** Every provider Tollgate can poll. Each connector lives in its own folder beside this file. */
export const connectorRegistry: ReadonlyMap<ProviderId, Connector> = new Map<ProviderId, Connector>([
  [slackConnector.provider, slackConnector],
  [googleWorkspaceConnector.provider, googleWorkspaceConnector],
  [m365Connector.provider, m365Connector],
]);
