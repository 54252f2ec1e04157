/**
 * Two benchmark runs side by side as a Markdown table (as in docs/performance.md's runs):
 *
 *   npx tsx bench/compare.ts bench/results/before.json bench/results/after.json
 */
import { readFileSync } from 'node:fs';
import { figuresOf, type BenchResults, type Figure } from './report';

function figures(file: string): Figure[] {
  return figuresOf(JSON.parse(readFileSync(file, 'utf8')) as BenchResults);
}

export function comparison(before: Figure[], after: Figure[]): string {
  const key = (f: Figure) => `${f.section} ${f.what}`;
  const earlier = new Map(before.map((f) => [key(f), f]));
  const mark = (f: Figure) => (f.met === undefined ? '' : f.met ? 'met' : '**missed**');
  return [
    '| | figure | before | after | target | |',
    '| --- | --- | --- | --- | --- | --- |',
    ...after.map((f) => {
      const was = earlier.get(key(f))?.value ?? '';
      return `| ${f.section} | ${f.what} | ${was} | ${f.value} | ${f.target} | ${mark(f)} |`;
    }),
  ].join('\n');
}

if (require.main === module) {
  const [before, after] = process.argv.slice(2);
  if (!before || !after) {
    console.error('usage: compare.ts <before.json> <after.json>');
    process.exit(2);
  }
  console.log(comparison(figures(before), figures(after)));
}
