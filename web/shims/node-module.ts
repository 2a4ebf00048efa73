/**
 * `node:module` in the page: `createRequire` exists so the spice engine's module loads; resolving a package
 * through it is refused (the page's worker finds eecircuit-engine on the site: web/spice-thread.ts).
 */
export function createRequire(): { resolve: { paths(name: string): null } } {
  return { resolve: { paths: () => null } };
}
