/**
 * Loads an ES-module-only package from this CommonJS build. TypeScript compiles `import()` to
 * `require()` under `module: commonjs`; a Function body is left alone, so this stays a real dynamic
 * import in Node and under jest (which needs --experimental-vm-modules for it, as `npm test` sets).
 */
export const importEsm = new Function('specifier', 'return import(specifier)') as <T>(specifier: string) => Promise<T>;
