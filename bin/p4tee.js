#!/usr/bin/env node
// Entry point of the `p4tee` command: loads the compiled CLI from dist/.
import('../dist/cli/main.js').then((m) => m.main(process.argv)).catch((err) => {
  console.error(`p4tee: cannot start: ${err && err.message ? err.message : err}`);
  console.error('p4tee: run `npm ci` (or `npm run build`) in the package folder first.');
  process.exit(2);
});
