// Tests of the progress display: in-place line on a TTY, plain lines per finished trial otherwise,
// and the content of the status lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatSearchLine, Progress, type ProgressStream } from './progress.js';
import { mlrSearch, type SearchProgress } from './mlrsearch.js';
import { SimDevice } from './sim-device.js';
import { rateSweep } from './sweep.js';

function fakeStream(isTTY: boolean, columns = 200): ProgressStream & { out: string } {
  const s = { out: '', isTTY, columns, write(chunk: string) { s.out += chunk; return true; } };
  return s;
}

test('durations print as m:ss', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(61.4), '1:01');
  assert.equal(formatDuration(3725), '1:02:05');
  assert.equal(formatDuration(Infinity), '?');
});

test('the search line names phase, load, duration, bounds and times', () => {
  const p: SearchProgress = {
    event: 'trial-end', goal: 'NDR', target: 2, targets: 4, pps: 1_234_000, durationS: 2.92, trials: 7,
    bounds: [{ name: 'NDR', lower: 1_229_000, upper: null }, { name: 'PDR', lower: null, upper: 1_250_000 }],
    elapsedS: 42, estimateS: 110,
    result: { offeredPps: 1_234_000, durationS: 2.92, sent: 100, received: 99, lost: 1, lossRatio: 0.01, valid: true, invalidReason: null },
  };
  const line = formatSearchLine(p);
  assert.match(line, /^search NDR 3\/4 \| 1\.234 Mpps x 2\.92 s -> rx .*loss 1\.000% \| NDR \[1\.229, \?\] PDR \[\?, 1\.250\] \| 0:42 \/ ~1:50$/);
  assert.match(formatSearchLine({ ...p, result: { ...p.result!, valid: false, invalidReason: 'late sends' } }), /INVALID \(late sends\)/);
});

test('on a TTY the line is rewritten in place; elsewhere one line per finished trial', async () => {
  const tty = fakeStream(true, 60);
  const dev = new SimDevice({ capacityPps: 500e3 });
  const pt = new Progress({ stream: tty });
  pt.phase('search (quick)');
  const r = await mlrSearch(dev.trial, { minPps: 10e3, maxPps: 3e6, preset: 'quick', onProgress: pt.search });
  pt.done();
  assert.ok(tty.out.startsWith('== search (quick)\n'));
  assert.equal(tty.out.split('\r').length - 1, 2 * r.trials.length);
  assert.ok(tty.out.endsWith('\x1b[K\n'));
  for (const seg of tty.out.split('\r').slice(1)) assert.ok(seg.replace('\x1b[K', '').replace('\n', '').length <= 59);

  const plain = fakeStream(false);
  let t = 0;
  const pp = new Progress({ stream: plain, now: () => (t += 1000) });
  pp.phase('sweep');
  await rateSweep(dev.trial, { rates: [1e5, 2e5, 3e5], durationS: 1, onProgress: pp.sweep });
  pp.note('done');
  const lines = plain.out.trimEnd().split('\n');
  assert.equal(lines.length, 5);
  assert.match(lines[1]!, /^sweep 1\/3 \| 100\.0 kpps x 1 s -> rx 100\.0 kpps, loss 0\.000% \| 0:0\d \/ ~0:\d\d$/);
  assert.ok(!plain.out.includes('\r'));
  assert.equal(lines[4], 'done');
});
