/**
 * What a browser does in a sign-in redirect dance, for tests: keeps each
 * origin's cookies and follows redirects one at a time, so a test can stop
 * at any hop. Paths and expiry of cookies are ignored.
 */
export class CookieBrowser {
  private readonly jars = new Map<string, Map<string, string>>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const { origin } = new URL(url);
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, jar);
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  }

  /** Posts a form, as a login page's submit button does. */
  submit(url: string, fields: Record<string, string>): Promise<Response> {
    return this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /**
   * Follows redirects from `response` while `keepGoing(next URL)` holds;
   * returns the first answer that is not followed.
   */
  async follow(
    response: Response,
    keepGoing: (next: URL) => boolean = () => true,
  ): Promise<Response> {
    let current = response;
    for (let hops = 0; hops < 20; hops++) {
      const location = current.headers.get('location');
      if (current.status < 300 || current.status >= 400 || !location) {
        return current;
      }
      const next = new URL(location, current.url);
      if (!keepGoing(next)) return current;
      current = await this.request(next.href);
    }
    throw new Error('more than 20 redirects');
  }
}
