export { applyChecked, IntegrationFailedError } from './doc/apply.js';
export * from './doc/hlc.js';
export * from './doc/model.js';
export * from './doc/refusals.js';
export * from './doc/rules.js';
export * from './doc/segments.js';
export * from './errors.js';
export * from './limits.js';
export * from './text.js';
