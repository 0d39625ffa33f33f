export * from './create-seeded-random.js';
