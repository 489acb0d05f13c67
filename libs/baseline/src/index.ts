export * from './baseline.types';
export { BaselineError, loadBaselineFile, parseBaseline, type BaselineIssue } from './baseline.loader';
export { BaselineRegistry, SHIPPED_PRESETS_DIR } from './baseline.registry';
export { BaselineParameterError, evaluate, resolveParameters } from './evaluator';
export { looseningReasons } from './loosening';
