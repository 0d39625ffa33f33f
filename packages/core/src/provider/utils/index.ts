export * from './load-setting.js';
export * from './managed-tags.js';
export * from './render-startup-script.js';
export * from './startup-script-error.js';
