/**
 * A browser as far as sign-in needs one: plain HTTP with a cookie jar (per host:port, paths ignored)
 * and redirects followed by hand, so a spec can look at (and tamper with) every hop.
 */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  async fetch(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Response> {
    const target = new URL(url);
    const cookies = [...(this.jar.get(target.host) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(target, { method: init.method ?? 'GET', redirect: 'manual', headers: { ...(cookies ? { cookie: cookies } : {}), ...init.headers }, body: init.body });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const jar = this.jar.get(target.host) ?? new Map<string, string>();
      this.jar.set(target.host, jar);
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0\s*$/i.test(a));
      if (expired || pair.slice(at + 1) === '') jar.delete(pair.slice(0, at).trim());
      else jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    return res;
  }

  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name);
  }

  setCookie(host: string, name: string, value: string): void {
    const jar = this.jar.get(host) ?? new Map<string, string>();
    this.jar.set(host, jar);
    jar.set(name, value);
  }
}

/** The location a redirect points to, made absolute. */
export function locationOf(res: Response, base: string): string {
  const location = res.headers.get('location');
  if (!location || res.status < 300 || res.status >= 400) throw new Error(`expected a redirect, got HTTP ${res.status}`);
  return new URL(location, base).href;
}

/**
 * Signs in through Tollgate's /auth/login and the demo identity provider's login form, hop by hop,
 * and returns Tollgate's answer to the callback. `tamper` may rewrite the authorization URL (before
 * the provider sees it) or the callback URL (before Tollgate sees it).
 */
export async function signIn(
  browser: Browser,
  tollgateUrl: string,
  user: { login: string; password: string },
  tamper: { authorize?: (url: URL) => void; callback?: (url: URL) => void } = {},
): Promise<Response> {
  const start = await browser.fetch(`${tollgateUrl}/auth/login`);
  const authorize = new URL(locationOf(start, tollgateUrl));
  tamper.authorize?.(authorize);
  let res = await browser.fetch(authorize.href);
  let url = locationOf(res, authorize.href);
  // Already signed in at the provider: it sends the browser straight back.
  if (!url.startsWith(tollgateUrl)) url = await submitLogin(browser, url, user);
  // The provider's own hops (resume, authorize again) until it sends the browser back to Tollgate.
  while (!url.startsWith(tollgateUrl)) {
    res = await browser.fetch(url);
    url = locationOf(res, url);
  }
  const callback = new URL(url);
  tamper.callback?.(callback);
  return browser.fetch(callback.href);
}

async function submitLogin(browser: Browser, url: string, user: { login: string; password: string }): Promise<string> {
  const form = new URLSearchParams({ login: user.login, password: user.password }).toString();
  const res = await browser.fetch(`${url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  if (res.status === 401) throw new Error(`the identity provider refused ${user.login}'s password`);
  return locationOf(res, url);
}
