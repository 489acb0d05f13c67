import { isDeepStrictEqual } from 'node:util';
import type { TollgateConfig } from '@tollgate/config';
import { resolveEndpoints, type Connector } from '@tollgate/connector-sdk';

/**
 * The endpoints a connection's requests go to: the connector's defaults for its options with the
 * stored overrides merged in, checked against the SSRF rules and normalized. The credentials are
 * sealed with exactly this map, so the API, the poll runner and the re-wrap must all compute it here.
 */
export function effectiveEndpoints(
  connector: Connector,
  options: Record<string, unknown>,
  overrides: Record<string, string> | null | undefined,
  config: TollgateConfig,
): Record<string, string> {
  return resolveEndpoints(connector.defaultEndpoints(options), overrides, {
    officialHosts: connector.officialHosts,
    allowedHosts: config.allowedEndpointHosts,
  });
}

export function sameEndpoints(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  return a !== undefined && isDeepStrictEqual(Object.entries(a).sort(), Object.entries(b).sort());
}
