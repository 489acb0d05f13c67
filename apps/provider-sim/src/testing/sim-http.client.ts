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
  return getWithToken(url, token);
}

/** A GET as the providers' APIs are called: with a bearer token, or without one to test the refusal. */
export async function getWithToken(url: string | URL, token: string | undefined): Promise<SimAnswer> {
  return answer(await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} }));
}

export async function callControl(simUrl: string, method: string, path: string, body?: unknown): Promise<SimAnswer> {
  const res = await fetch(`${simUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return answer(res);
}

async function answer(res: Response): Promise<SimAnswer> {
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}
