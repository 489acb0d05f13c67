/**
 * Small HTTP helpers for talking to a running simulator from specs, e2e tests and scripts. Kept free
 * of test-framework globals so the production build compiles it like any other file.
 */
export interface SimAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export async function callSlack(
  simUrl: string,
  method: string,
  token: string | undefined,
  params: Record<string, string> = {},
): Promise<SimAnswer> {
  const url = new URL(`${simUrl}/slack/api/${method}`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

export async function callControl(simUrl: string, method: string, path: string, body?: unknown): Promise<SimAnswer> {
  const res = await fetch(`${simUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}
