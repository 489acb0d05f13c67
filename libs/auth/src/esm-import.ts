import { randomUUID } from 'node:crypto';

/**
 * Loads an ES-module-only package from this CommonJS build. TypeScript compiles `import()` to
 * `require()` under `module: commonjs`; a Function body is left alone, so this stays a real dynamic
 * import in Node and under jest (which needs --experimental-vm-modules for it, as `npm test` sets).
 */
// The source is made unique per load: V8 caches a compiled Function by its source text together with
// the import hook of the context that first compiled it, and jest gives every test file a fresh
// context; a cached Function would import through a test file's environment long torn down.
export const importEsm = new Function('specifier', `return import(specifier); // ${randomUUID()}`) as <T>(specifier: string) => Promise<T>;
