export * from './collect-pages.js';
export * from './load-setting.js';
export * from './managed-tags.js';
export * from './match-tags.js';
export * from './parse-provider-settings.js';
export * from './render-startup-script.js';
export * from './secret-input-schema.js';
export * from './startup-script-error.js';
