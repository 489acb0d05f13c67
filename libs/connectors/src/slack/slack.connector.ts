import { ProviderError, type Connector, type ConnectorContext, type PostureDocument } from '@tollgate/connector-sdk';
import { SlackClient } from './slack.client';
import { fetchSlackPosture } from './slack.fetchers';
import { normalizeSlackPosture } from './slack.normalizer';

export const SLACK_API = 'https://slack.com/api';
export const GOVSLACK_API = 'https://slack-gov.com/api';

/** User (xoxp), bot (xoxb), app (xoxa), enterprise (xoxe) tokens, and rotating `xoxe.xoxp-` ones. */
const TOKEN_SHAPE = /^(?:xoxe\.)?xox[a-z]-\S+$/;
const MAX_TOKEN_LENGTH = 4096;

function tokenProblems(credentials: unknown): string[] {
  if (typeof credentials !== 'object' || credentials === null || Array.isArray(credentials)) {
    return ['credentials must be an object with a "token"'];
  }
  const { token, ...rest } = credentials as Record<string, unknown>;
  // Only field names are echoed back, never values: they may be secrets typed in the wrong place.
  const problems = Object.keys(rest).map((key) => `unknown field "${key}" (only "token" is accepted)`);
  if (token === undefined || token === null || token === '') problems.push('"token" is required');
  else if (typeof token !== 'string') problems.push('"token" must be a string');
  else if (/\s/.test(token)) problems.push('"token" must not contain whitespace');
  else if (token.length > MAX_TOKEN_LENGTH) problems.push(`"token" is longer than ${MAX_TOKEN_LENGTH} characters`);
  else if (!TOKEN_SHAPE.test(token)) {
    problems.push('"token" does not look like a Slack token (expected a prefix such as xoxp-, xoxb- or xoxe.xoxp-)');
  }
  return problems;
}

export class SlackConnector implements Connector {
  readonly provider = 'slack' as const;
  readonly displayName = 'Slack';
  readonly defaultBaselineId = 'slack-locked-down';
  readonly officialHosts = ['slack.com', 'slack-gov.com'] as const;

  validateCredentials(credentials: unknown): string[] {
    return tokenProblems(credentials);
  }

  defaultEndpoints(options: Record<string, unknown>): Record<string, string> {
    return { api: options.cloud === 'gov' ? GOVSLACK_API : SLACK_API };
  }

  async collect(ctx: ConnectorContext): Promise<PostureDocument> {
    const token = ctx.credentials.token;
    if (typeof token !== 'string' || tokenProblems(ctx.credentials).length > 0) {
      throw new ProviderError('auth', 'slack: the stored credentials are not a usable Slack token', {
        retryable: false,
      });
    }
    const api = (ctx.endpoints.api ?? this.defaultEndpoints(ctx.options).api).replace(/\/+$/, '');
    const client = new SlackClient(ctx.http, api, token);
    const raw = await fetchSlackPosture(client);
    for (const gap of raw.gaps) ctx.logger.debug('slack: dataset not readable', { what: gap.what, reason: gap.reason });
    return normalizeSlackPosture(raw, { declaredResidency: ctx.declaredResidency });
  }
}

export const slackConnector = new SlackConnector();
