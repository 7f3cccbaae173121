#!/usr/bin/env node
// Scores the p4tee front end on a local corpus of public P4 programs that the repository does not
// contain (see docs/corpus.md): valid v1model programs should be accepted, invalid ones rejected at
// the line the reference compiler names in its .p4-stderr file. Prints a summary (or JSON); always
// exits 0, because it is a measurement, not a test.
//
// usage: node scripts/corpus-score.js [--valid DIR] [--errors DIR] [--include DIR] [--json]
//                                     [--verbose] [--timeout MS] [--spawn]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------------------------------------
// Worker side: checks files in-process, one message per file, so that the main thread can kill
// the worker when one file takes too long (a sync loop cannot be interrupted any other way).

async function loadChecker(root, includeDirs) {
  const options = { includeDirs, defines: new Map() };
  const errors = [];
  try {
    const cli = await import(pathToFileURL(join(root, 'dist/cli/check.js')).href);
    if (typeof cli.checkOne === 'function') {
      return (file) => cli.checkOne(file, options, false, true, false).report;
    }
    errors.push('dist/cli/check.js has no checkOne');
  } catch (err) {
    errors.push(`dist/cli/check.js: ${err && err.message ? err.message : err}`);
  }
  try {
    const fe = await import(pathToFileURL(join(root, 'dist/compiler/frontend.js')).href);
    const dg = await import(pathToFileURL(join(root, 'dist/compiler/source/diagnostics.js')).href);
    return (file) => {
      try {
        const r = fe.checkFile(file, options);
        const diagnostics = r.diagnostics.items.map((d) => {
          const loc = dg.locate(d, r.map, file);
          return { severity: d.severity, code: d.code, file: loc.file, line: loc.line, column: loc.column, message: d.message };
        });
        return { file, ok: !r.diagnostics.hasErrors, diagnostics };
      } catch (err) {
        return { file, ok: false, diagnostics: [], internalError: err && err.stack ? err.stack : String(err) };
      }
    };
  } catch (err) {
    errors.push(`dist/compiler/frontend.js: ${err && err.message ? err.message : err}`);
  }
  throw new Error(errors.join('; '));
}

async function workerMain() {
  let check;
  try {
    check = await loadChecker(workerData.root, workerData.includeDirs);
  } catch (err) {
    parentPort.postMessage({ fatal: err.message });
    return;
  }
  parentPort.on('message', (file) => {
    let report;
    try {
      report = check(file);
    } catch (err) {
      report = { file, ok: false, diagnostics: [], internalError: err && err.stack ? err.stack : String(err) };
    }
    parentPort.postMessage({ report });
  });
  parentPort.postMessage({ ready: true });
}

// ---------------------------------------------------------------------------------------------
// Main side: runners.

/** Runs files through in-process workers with a per-file watchdog; null if the import fails. */
async function runInProcess(files, timeoutMs, includeDirs) {
  const results = new Map();
  let worker = null;
  let pending = null; // { resolve }

  const start = () =>
    new Promise((res) => {
      const w = new Worker(new URL(import.meta.url), {
        workerData: { root: repoRoot, includeDirs },
        resourceLimits: { maxOldGenerationSizeMb: 2048, stackSizeMb: 8 },
      });
      let ready = false;
      w.on('message', (m) => {
        if (!ready) {
          ready = true;
          res(m.fatal !== undefined ? { fatal: m.fatal, w } : { w });
          return;
        }
        if (pending) {
          const p = pending;
          pending = null;
          p.resolve({ report: m.report });
        }
      });
      w.on('error', (err) => {
        if (!ready) {
          ready = true;
          res({ fatal: String(err && err.message ? err.message : err), w });
        } else if (pending) {
          const p = pending;
          pending = null;
          p.resolve({ crash: `worker died: ${err && err.message ? err.message : err}` });
        }
      });
      w.on('exit', (code) => {
        if (pending) {
          const p = pending;
          pending = null;
          p.resolve({ crash: `worker exited with code ${code}` });
        }
      });
    });

  const boot = async () => {
    const s = await start();
    if (s.fatal !== undefined) {
      await s.w.terminate();
      return s.fatal;
    }
    worker = s.w;
    return null;
  };

  const fatal = await boot();
  if (fatal !== null) return { fatal };

  for (const file of files) {
    const t0 = Date.now();
    const outcome = await new Promise((res) => {
      const timer = setTimeout(() => {
        if (pending) {
          pending = null;
          res({ timeout: true });
        }
      }, timeoutMs);
      pending = { resolve: (v) => { clearTimeout(timer); res(v); } };
      worker.postMessage(file);
    });
    const ms = Date.now() - t0;
    if (outcome.report) {
      results.set(file, { report: outcome.report, ms });
      continue;
    }
    // Timeout or a dead worker: record it, then replace the worker for the remaining files.
    results.set(file, outcome.timeout ? { timeout: true, ms } : { crash: outcome.crash, ms });
    const old = worker;
    worker = null;
    await old.terminate().catch(() => {});
    const again = await boot();
    if (again !== null) return { fatal: again, partial: results };
  }
  await worker.terminate();
  return { results };
}

/** Fallback: one `p4tee check --format json` process per file. */
function runSpawned(files, timeoutMs, includeDirs) {
  const results = new Map();
  const bin = join(repoRoot, 'bin/p4tee.js');
  for (const file of files) {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, [bin, 'check', '--format', 'json', ...includeDirs.flatMap((d) => ['-I', d]), file], {
      encoding: 'utf8',
      timeout: timeoutMs,
      maxBuffer: 64 * 1024 * 1024,
    });
    const ms = Date.now() - t0;
    if (r.error && r.error.code === 'ETIMEDOUT') {
      results.set(file, { timeout: true, ms });
      continue;
    }
    const line = (r.stdout || '').split('\n').find((l) => l.trim().startsWith('{'));
    if (line === undefined) {
      const why = r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
      const first = (r.stderr || '').trim().split('\n')[0] ?? '';
      results.set(file, { crash: `no JSON output (${why}): ${first}`, ms, unavailable: first.includes('cannot start') });
      continue;
    }
    try {
      results.set(file, { report: JSON.parse(line), ms });
    } catch (err) {
      results.set(file, { crash: `bad JSON output: ${err.message}`, ms });
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// Expected error lines from a reference .p4-stderr file.

const norm = (s) => s.replace(/\s+/g, ' ').trim();

/**
 * Reads the entries `NAME(LINE)...` of a stderr file whose NAME is the program's file name.
 * Each entry has a kind (error / warning / note), the stated line, the category tag if any and
 * the source excerpt printed on the next line.
 */
export function parseStderr(text, programName) {
  const lines = text.split('\n');
  const entries = [];
  let unlocatedErrors = 0;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const m = /^(\S*?)\((\d+)\)(?::(.*))?$/.exec(raw);
    if (m && basename(m[1]) === programName) {
      const rest = m[3] ?? '';
      const kind = /\berror\b/i.test(rest) ? 'error' : /\bwarning\b/i.test(rest) ? 'warning' : 'note';
      const tag = /\[--W(?:error|warn)=([\w-]+)\]/.exec(rest);
      const category = tag ? tag[1] : /syntax error/i.test(rest) ? 'syntax' : kind === 'error' ? 'untagged' : '';
      const next = lines[i + 1];
      const excerpt = next !== undefined && !/^\S*?\(\d+\)/.test(next) && !/^\s*\^+\s*$/.test(next) && !/^\s*----/.test(next) ? next : '';
      entries.push({ kind, line: Number(m[2]), category, excerpt, message: rest.trim() });
    } else if (/\berror\b/.test(raw) && !/errors encountered, aborting/.test(raw) && /^\[--Werror=|^error:/.test(raw)) {
      unlocatedErrors++;
    }
  }
  return { entries, unlocatedErrors };
}

/**
 * The stderr files may come from a different revision of the program than the .p4 file (e.g. a
 * licence header that was shortened), so the stated lines are checked against the printed excerpts
 * and, when they disagree, moved by the shift that most excerpts agree on.
 */
export function expectedLines(stderrText, programText, programName) {
  const { entries, unlocatedErrors } = parseStderr(stderrText, programName);
  const src = programText.split('\n').map(norm);
  const matches = (lineNo, excerpt) => {
    const e = norm(excerpt);
    if (e === '' || lineNo < 1 || lineNo > src.length) return false;
    return src[lineNo - 1].startsWith(e) || (e.length >= 6 && src[lineNo - 1].includes(e));
  };
  const candidates = entries.map((en) => {
    if (norm(en.excerpt) === '') return [];
    const out = [];
    for (let l = 1; l <= src.length; l++) if (matches(l, en.excerpt)) out.push(l);
    return out;
  });
  // Vote for a shift: each entry with an excerpt spreads one vote over its candidate shifts.
  const votes = new Map();
  entries.forEach((en, i) => {
    const c = candidates[i];
    if (c.length === 0) return;
    if (c.includes(en.line)) {
      votes.set(0, (votes.get(0) ?? 0) + 1);
      return;
    }
    for (const l of c) votes.set(l - en.line, (votes.get(l - en.line) ?? 0) + 1 / c.length);
  });
  let shift = 0;
  let best = votes.get(0) ?? 0;
  for (const [s, v] of votes) if (v > best + 1e-9) { best = v; shift = s; }
  const errors = [];
  entries.forEach((en, i) => {
    if (en.kind !== 'error') return;
    const c = candidates[i];
    let line = en.line + shift;
    if (c.length > 0 && !c.includes(line)) {
      // Take the candidate nearest to the shifted line.
      line = c.reduce((a, b) => (Math.abs(b - line) < Math.abs(a - line) ? b : a));
    }
    errors.push({ line, statedLine: en.line, category: en.category, message: en.message });
  });
  return { errors, shift, unlocatedErrors };
}

// ---------------------------------------------------------------------------------------------
// Scoring.

function listP4(dir) {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.p4')).sort().map((f) => join(dir, f));
}

function firstError(report) {
  return report.diagnostics.find((d) => d.severity === 'error') ?? null;
}

function describe(d) {
  return d ? `${d.line}:${d.column} ${d.code}: ${d.message.split('\n')[0]}` : '';
}

function parseArgs(argv) {
  const o = { valid: '/work/corpus/valid', errors: '/work/corpus/errors', include: '/work/corpus/include', json: false, verbose: false, timeout: 20000, spawn: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--valid') o.valid = argv[++i];
    else if (a === '--errors') o.errors = argv[++i];
    else if (a === '--include') o.include = argv[++i];
    else if (a === '--json') o.json = true;
    else if (a === '--verbose' || a === '-v') o.verbose = true;
    else if (a === '--timeout') o.timeout = Number(argv[++i]);
    else if (a === '--spawn') o.spawn = true;
    else if (a === '--help' || a === '-h') {
      console.log('usage: node scripts/corpus-score.js [--valid DIR] [--errors DIR] [--include DIR] [--json] [--verbose] [--timeout MS] [--spawn]');
      process.exit(0);
    } else {
      console.error(`corpus-score: unknown argument ${a}`);
    }
  }
  if (!Number.isFinite(o.timeout) || o.timeout <= 0) o.timeout = 20000;
  return o;
}

const pct = (n, d) => (d === 0 ? '   -  ' : `${((100 * n) / d).toFixed(1).padStart(5)}%`);

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const validFiles = listP4(opts.valid);
  const errorFiles = listP4(opts.errors);
  const all = [...validFiles, ...errorFiles];

  // Local headers that some corpus programs #include "..." (e.g. arith-skeleton.p4) live here.
  const includeDirs = opts.include && existsSync(opts.include) ? [opts.include] : [];
  let runner = 'in-process';
  let results;
  let note = '';
  if (!opts.spawn) {
    const r = await runInProcess(all, opts.timeout, includeDirs);
    if (r.results) results = r.results;
    else {
      note = `in-process checker unavailable (${r.fatal}); spawning the CLI per file`;
      const rest = all.filter((f) => !(r.partial && r.partial.has(f)));
      results = new Map([...(r.partial ?? new Map()), ...runSpawned(rest, opts.timeout, includeDirs)]);
      runner = 'spawn';
    }
  } else {
    results = runSpawned(all, opts.timeout, includeDirs);
    runner = 'spawn';
  }

  if (all.length > 0 && all.every((f) => results.get(f) && results.get(f).unavailable)) {
    const why = results.get(all[0]).crash;
    console.log(`corpus-score: p4tee could not run (${why}).`);
    console.log('Build it first: npx tsc -p tsconfig.json && node scripts/copy-assets.js');
    if (note) console.log(`note: ${note}`);
    return;
  }

  // Valid programs.
  const valid = { total: validFiles.length, accepted: 0, rejected: 0, internal: 0, timeout: 0, files: [] };
  for (const f of validFiles) {
    const r = results.get(f);
    let outcome;
    let detail = '';
    if (r.timeout) { outcome = 'timeout'; valid.timeout++; }
    else if (r.crash) { outcome = 'internal'; valid.internal++; detail = r.crash; }
    else if (r.report.internalError !== undefined) { outcome = 'internal'; valid.internal++; detail = r.report.internalError.split('\n')[0]; }
    else if (r.report.ok) { outcome = 'accepted'; valid.accepted++; }
    else { outcome = 'rejected'; valid.rejected++; detail = describe(firstError(r.report)); }
    valid.files.push({ file: basename(f), outcome, detail, ms: r.ms });
  }

  // Invalid programs.
  const inval = { total: errorFiles.length, atLine: 0, noLine: 0, elsewhere: 0, missed: 0, internal: 0, timeout: 0, noStderr: 0, files: [] };
  const byCategory = new Map();
  for (const f of errorFiles) {
    const r = results.get(f);
    const name = basename(f);
    const stderrPath = `${f}-stderr`;
    let exp = { errors: [], shift: 0, unlocatedErrors: 0 };
    let hasStderr = existsSync(stderrPath);
    if (hasStderr) exp = expectedLines(readFileSync(stderrPath, 'utf8'), readFileSync(f, 'utf8'), name);
    else inval.noStderr++;
    const wanted = [...new Set(exp.errors.map((e) => e.line))].sort((a, b) => a - b);
    const category = exp.errors.length > 0 ? exp.errors[0].category : exp.unlocatedErrors > 0 ? 'unlocated' : 'none';
    let outcome;
    let detail = '';
    if (r.timeout) outcome = 'timeout';
    else if (r.crash) { outcome = 'internal'; detail = r.crash; }
    else if (r.report.internalError !== undefined) { outcome = 'internal'; detail = r.report.internalError.split('\n')[0]; }
    else if (r.report.ok) outcome = 'missed';
    else {
      const errs = r.report.diagnostics.filter((d) => d.severity === 'error');
      detail = describe(errs[0] ?? null);
      if (wanted.length === 0) outcome = 'noLine';
      else if (errs.some((d) => wanted.includes(d.line))) outcome = 'atLine';
      else outcome = 'elsewhere';
    }
    inval[outcome]++;
    const c = byCategory.get(category) ?? { total: 0, right: 0, missed: 0 };
    c.total++;
    if (outcome === 'atLine' || outcome === 'noLine') c.right++;
    if (outcome === 'missed') c.missed++;
    byCategory.set(category, c);
    inval.files.push({ file: name, outcome, expected: wanted, shift: exp.shift, category, detail, ms: r.ms });
  }

  const validOk = valid.accepted;
  const invalidRight = inval.atLine + inval.noLine;
  const summary = {
    runner,
    note,
    valid: {
      total: valid.total,
      accepted: valid.accepted,
      rejected: valid.rejected,
      internalError: valid.internal,
      timeout: valid.timeout,
      acceptedPercent: valid.total ? (100 * validOk) / valid.total : null,
    },
    invalid: {
      total: inval.total,
      rejectedAtExpectedLine: inval.atLine,
      rejectedNoLineToCompare: inval.noLine,
      rejectedElsewhere: inval.elsewhere,
      accepted: inval.missed,
      internalError: inval.internal,
      timeout: inval.timeout,
      missingStderr: inval.noStderr,
      rightPercent: inval.total ? (100 * invalidRight) / inval.total : null,
      rejectedPercent: inval.total ? (100 * (invalidRight + inval.elsewhere)) / inval.total : null,
      byCategory: Object.fromEntries([...byCategory].sort((a, b) => b[1].total - a[1].total)),
    },
  };

  if (opts.json) {
    const out = { summary };
    if (opts.verbose) out.files = { valid: valid.files, invalid: inval.files };
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }

  const p = (s) => process.stdout.write(s + '\n');
  if (opts.verbose) {
    p(`== valid programs (${opts.valid})`);
    for (const v of valid.files) p(`${v.outcome.padEnd(9)} ${v.file}${v.detail ? `  -- ${v.detail}` : ''}`);
    p('');
    p(`== invalid programs (${opts.errors})`);
    for (const v of inval.files) {
      const exp = v.expected.length ? `expected ${v.expected.join(',')}${v.shift ? ` (shift ${v.shift})` : ''}` : 'no expected line';
      p(`${v.outcome.padEnd(9)} ${v.file}  [${v.category}; ${exp}]${v.detail ? `  -- ${v.detail}` : ''}`);
    }
    p('');
  }
  if (note) p(`note: ${note}`);
  p(`runner: ${runner}, timeout ${opts.timeout} ms per file`);
  p('');
  p(`valid v1model programs: ${valid.total}  (${opts.valid})`);
  p(`  accepted              ${String(valid.accepted).padStart(5)}  ${pct(valid.accepted, valid.total)}   (target >= 90%)`);
  p(`  rejected              ${String(valid.rejected).padStart(5)}  ${pct(valid.rejected, valid.total)}`);
  p(`  internal error        ${String(valid.internal).padStart(5)}  ${pct(valid.internal, valid.total)}`);
  p(`  timeout               ${String(valid.timeout).padStart(5)}  ${pct(valid.timeout, valid.total)}`);
  p('');
  p(`invalid programs: ${inval.total}  (${opts.errors})`);
  p(`  rejected, right line  ${String(inval.atLine).padStart(5)}  ${pct(inval.atLine, inval.total)}`);
  p(`  rejected, no line given${String(inval.noLine).padStart(4)}  ${pct(inval.noLine, inval.total)}`);
  p(`  = right               ${String(invalidRight).padStart(5)}  ${pct(invalidRight, inval.total)}   (target >= 80%)`);
  p(`  rejected elsewhere    ${String(inval.elsewhere).padStart(5)}  ${pct(inval.elsewhere, inval.total)}`);
  p(`  accepted (missed)     ${String(inval.missed).padStart(5)}  ${pct(inval.missed, inval.total)}`);
  p(`  internal error        ${String(inval.internal).padStart(5)}  ${pct(inval.internal, inval.total)}`);
  p(`  timeout               ${String(inval.timeout).padStart(5)}  ${pct(inval.timeout, inval.total)}`);
  if (inval.noStderr) p(`  (no .p4-stderr file: ${inval.noStderr})`);
  p('');
  p('invalid programs by reference error category (right / missed / total):');
  for (const [k, c] of [...byCategory].sort((a, b) => b[1].total - a[1].total)) {
    p(`  ${k.padEnd(22)} ${String(c.right).padStart(4)} / ${String(c.missed).padStart(4)} / ${String(c.total).padStart(4)}`);
  }
}

const isEntry = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (!isMainThread) {
  workerMain();
} else if (isEntry) {
  main().catch((err) => {
    console.error(`corpus-score: ${err && err.stack ? err.stack : err}`);
    process.exitCode = 0;
  });
}
