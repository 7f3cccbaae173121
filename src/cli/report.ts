// `p4tee report DIR [--out DIR]`: writes the static HTML report (SVG figures, parameter table as
// Markdown and CSV) of every results.json under DIR. Exit: 0 written, 1 nothing to report, 2 usage.
import type { Command } from 'commander';
import { writeReport } from '../measure/report.js';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write an HTML report with SVG figures and the model parameter table from benchmark results')
    .argument('<dir>', 'a directory holding results.json files (p4tee bench / p4tee experiment output)')
    .option('-o, --out <dir>', 'where to write the report (default: DIR/report)')
    .option('--non-negative', 'force the model constants a >= 0')
    .option('--title <text>', 'report title')
    .addHelpText('after', '\nExample:\n  p4tee report results/study\n  chromium results/study/report/report.html\n')
    .action(async (dir: string, flags: { out?: string; nonNegative?: boolean; title?: string }) => {
      const r = await writeReport(dir, { ...(flags.out === undefined ? {} : { out: flags.out }), nonNegative: flags.nonNegative === true, ...(flags.title === undefined ? {} : { title: flags.title }) });
      if ('error' in r) {
        process.stderr.write(`p4tee report: ${r.error}\n`);
        process.exitCode = 1;
        return;
      }
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(`report of ${r.setups} setup(s): ${r.html}\nparameter table: ${r.markdown}, ${r.csv}\n`);
      process.exitCode = 0;
    });
}
