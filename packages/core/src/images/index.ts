export * from './compute-image-plan.js';
export * from './image-reference.js';
