/**
 * The methods each route path answers, for a 405 with `Allow` when a request names a path the service has with a
 * method it does not take (`DELETE /models/roth`), instead of a 404 that would say the path does not exist.
 */

/** One route pattern (fastify syntax: `:param` a path segment, `*` the rest) and its methods. */
interface RoutePattern {
  pattern: RegExp;
  methods: Set<string>;
}

/** The registered routes by pattern; `allowed` answers which methods a concrete path takes. */
export class AllowedMethods {
  private readonly routes = new Map<string, RoutePattern>();

  /** Records a route as fastify's onRoute hook sees it (a GET route also answers HEAD). */
  add(url: string, method: string | readonly string[]): void {
    let route = this.routes.get(url);
    if (!route) {
      const source = url.split('/').map((part) => part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('/');
      route = { pattern: new RegExp(`^${source}$`), methods: new Set() };
      this.routes.set(url, route);
    }
    for (const m of typeof method === 'string' ? [method] : method) {
      route.methods.add(m.toUpperCase());
      if (m.toUpperCase() === 'GET') route.methods.add('HEAD');
    }
  }

  /** The methods of the routes matching `url` (its query string ignored), sorted; empty when no route matches. */
  allowed(url: string): string[] {
    const pathOnly = url.split('?')[0] ?? '';
    const methods = new Set<string>();
    for (const route of this.routes.values()) if (route.pattern.test(pathOnly)) route.methods.forEach((m) => methods.add(m));
    return [...methods].sort();
  }
}
