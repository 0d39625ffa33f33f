export { formatSeconds, type RenderReportOptions, renderReport } from './render-report.js';
