export * from './evaluate-schedule.js';
