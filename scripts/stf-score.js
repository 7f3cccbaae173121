#!/usr/bin/env node
// Scores p4tee against a local corpus of public STF tests (NAME.p4 + NAME.stf pairs, see
// docs/conformance.md) that the repository does not contain. Each test runs in a worker thread,
// in-process, exactly as `p4tee stf` runs it, under a watchdog. Classes: pass, fail (output
// differs), rejected by the front end, unsupported by the back end, crash (internal error), timeout.
// Prints a summary (or JSON); always exits 0, because it is a measurement, not a test.
//
// usage: node scripts/stf-score.js [--dir DIR] [--verbose] [--json] [--timeout MS] [--all-ports]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------------------------
// Worker side: one message per test in, one result out.

/** Sorts a compile failure: the back end's "unsupported" code, an internal error, or the front end. */
function rejection(diagnostics) {
  const text = diagnostics.join('\n');
  if (/internal error/i.test(text)) return 'crash';
  if (/\bP4E08\d\d\b/.test(text)) return 'unsupported';
  return 'rejected';
}

async function workerMain() {
  let loadSwitch;
  let runStfText;
  try {
    ({ loadSwitch } = await import(pathToFileURL(join(workerData.root, 'dist/runtime/switch.js')).href));
    ({ runStfText } = await import(pathToFileURL(join(workerData.root, 'dist/runtime/control/stf-runner.js')).href));
  } catch (err) {
    parentPort.postMessage({ fatal: `cannot load dist/ (run npm run build): ${err && err.message ? err.message : err}` });
    return;
  }
  parentPort.on('message', ({ stf, p4 }) => {
    const started = performance.now();
    let result;
    try {
      const text = readFileSync(stf, 'utf8');
      const frontend = { includeDirs: [dirname(p4)], defines: new Map() };
      const loaded = loadSwitch(p4, frontend, { seed: 1 });
      if (!loaded.ok) {
        result = { status: rejection(loaded.diagnostics), reasons: loaded.diagnostics };
      } else {
        const r = runStfText(loaded.sw, text, { allPorts: workerData.allPorts });
        result = { status: r.ok ? 'pass' : 'fail', reasons: r.failures };
      }
    } catch (err) {
      result = { status: 'crash', reasons: [err && err.stack ? err.stack : String(err)] };
    }
    result.ms = Math.round(performance.now() - started);
    parentPort.postMessage({ result });
  });
  parentPort.postMessage({ ready: true });
}

// ---------------------------------------------------------------------------------------------
// Main side.

function parseArgs(argv) {
  const o = { dir: '/work/corpus/stf', verbose: false, json: false, timeout: 20000, allPorts: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dir') o.dir = argv[++i];
    else if (a === '--verbose' || a === '-v') o.verbose = true;
    else if (a === '--json') o.json = true;
    else if (a === '--timeout') o.timeout = Number(argv[++i]);
    else if (a === '--all-ports') o.allPorts = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/stf-score.js [--dir DIR] [--verbose] [--json] [--timeout MS] [--all-ports]');
      process.exit(0);
    } else {
      console.error(`unknown argument '${a}'`);
      process.exit(0);
    }
  }
  return o;
}

/** Runs every test in a worker; a test that overruns the watchdog kills the worker (then a new one). */
async function runAll(tests, opts) {
  const results = [];
  let worker = null;
  let pending = null;
  const start = () =>
    new Promise((resolveStart, rejectStart) => {
      const w = new Worker(fileURLToPath(import.meta.url), { workerData: { root: repoRoot, allPorts: opts.allPorts } });
      w.on('message', (m) => {
        if (m.ready) resolveStart(w);
        else if (m.fatal) rejectStart(new Error(m.fatal));
        else if (m.result && pending) pending(m.result);
      });
      w.on('error', (err) => {
        if (pending) pending({ status: 'crash', reasons: [`worker died: ${err && err.stack ? err.stack : err}`], ms: 0 });
        worker = null;
      });
    });
  for (const t of tests) {
    if (worker === null) worker = await start();
    const w = worker;
    const result = await new Promise((done) => {
      const timer = setTimeout(() => {
        pending = null;
        void w.terminate();
        worker = null;
        done({ status: 'timeout', reasons: [`no result within ${opts.timeout} ms`], ms: opts.timeout });
      }, opts.timeout);
      pending = (r) => {
        clearTimeout(timer);
        pending = null;
        done(r);
      };
      w.postMessage({ stf: t.stf, p4: t.p4 });
    });
    results.push({ test: t.name, ...result });
  }
  if (worker !== null) await worker.terminate();
  return results;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!existsSync(opts.dir)) {
    console.log(`no corpus at ${opts.dir} (see docs/conformance.md)`);
    return;
  }
  const tests = readdirSync(opts.dir)
    .filter((f) => f.endsWith('.stf'))
    .sort()
    .map((f) => ({ name: basename(f, '.stf'), stf: join(opts.dir, f), p4: join(opts.dir, basename(f, '.stf') + '.p4') }))
    .filter((t) => existsSync(t.p4));
  let results;
  try {
    results = await runAll(tests, opts);
  } catch (err) {
    console.log(`stf-score: ${err.message}`);
    return;
  }
  const classes = ['pass', 'fail', 'rejected', 'unsupported', 'crash', 'timeout'];
  const count = Object.fromEntries(classes.map((c) => [c, results.filter((r) => r.status === c).length]));
  const total = results.length;
  const pct = total === 0 ? 0 : (100 * count.pass) / total;
  if (opts.json) {
    console.log(JSON.stringify({ dir: opts.dir, total, ...count, passPercent: Number(pct.toFixed(1)), results }, null, 1));
    return;
  }
  for (const r of results) {
    if (r.status === 'pass' && !opts.verbose) continue;
    console.log(`${r.status.toUpperCase().padEnd(11)} ${r.test} (${r.ms} ms)`);
    if (opts.verbose || r.status !== 'pass') {
      for (const line of r.reasons.slice(0, opts.verbose ? 12 : 3)) console.log(`    ${line.split('\n').join('\n    ')}`);
    }
  }
  console.log(`\n${total} STF tests in ${opts.dir}`);
  console.log(`  pass        ${count.pass}  (${pct.toFixed(1)}%)`);
  console.log(`  fail        ${count.fail}   (output differs from the expectation)`);
  console.log(`  rejected    ${count.rejected}   (front end)`);
  console.log(`  unsupported ${count.unsupported}   (back end)`);
  console.log(`  crash       ${count.crash}   (internal error)`);
  console.log(`  timeout     ${count.timeout}`);
}

if (isMainThread) await main();
else await workerMain();
