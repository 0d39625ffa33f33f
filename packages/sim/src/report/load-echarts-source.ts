import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

let cached: string | undefined;

/** The minified ECharts bundle from the installed `echarts` package (read once, inlined into reports). */
export function loadEchartsSource(): string {
  if (cached === undefined) {
    const require = createRequire(import.meta.url);
    cached = readFileSync(require.resolve('echarts/dist/echarts.min'), 'utf8');
  }
  return cached;
}
