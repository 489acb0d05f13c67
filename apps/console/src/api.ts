/** The REST API with the session cookie; a change carries the session's CSRF token. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface Session {
  via: string;
  principal: string;
  name?: string;
  role: 'viewer' | 'auditor' | 'operator' | 'approver' | 'admin';
  keyId: string;
  /** The connections the person is limited to; null: all. */
  connectionIds: string[] | null;
  csrfToken?: string;
}

let csrfToken: string | undefined;

export async function session(): Promise<Session | null> {
  const res = await fetch('/auth/session', { headers: { accept: 'application/json' } });
  if (res.status === 401) return null;
  if (!res.ok) throw new ApiError(res.status, `the session could not be read (HTTP ${res.status})`);
  const me = (await res.json()) as Session;
  csrfToken = me.csrfToken;
  return me;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try {
      const problem = (await res.json()) as { message?: string | string[] };
      if (problem.message) message = Array.isArray(problem.message) ? problem.message.join('; ') : problem.message;
    } catch {
      // Not JSON: the status says enough.
    }
    throw new ApiError(res.status, message);
  }
  return (await res.json()) as T;
}

export const get = <T>(path: string) => request<T>('GET', `/api/v1${path}`);
export const post = <T>(path: string, body?: unknown) => request<T>('POST', `/api/v1${path}`, body ?? {});

export async function signOut(): Promise<void> {
  const out = await request<{ loggedOut: boolean; endSessionUrl?: string | null }>('POST', '/auth/logout');
  window.location.assign(out.endSessionUrl || '/');
}
