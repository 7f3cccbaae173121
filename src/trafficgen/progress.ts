// Live progress of `p4tee bench` on the terminal: input the progress events of the sweep and the
// search; output one status line (phase, load, trial duration, bounds so far, elapsed / estimated
// time) rewritten in place with \r when the stream is a TTY, or one plain line per finished trial
// otherwise (logs, CI). Notes (phase changes, warnings) always get lines of their own.
import { performance } from 'node:perf_hooks';
import { formatPps, type SearchProgress, type TrialLike } from './mlrsearch.js';
import type { SweepProgress } from './sweep.js';

export interface ProgressStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  /** Default process.stderr. */
  readonly stream?: ProgressStream;
  /** Override the TTY detection. */
  readonly tty?: boolean;
  /** Wall clock in ms (default performance.now). */
  readonly now?: () => number;
}

/** m:ss (or h:mm:ss). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function formatBound(v: number | null): string {
  return v === null ? '?' : formatPps(v).replace(/ (k|M)?pps$/, '');
}

function formatOutcome(r: TrialLike): string {
  if (!r.valid) return ` -> INVALID (${r.invalidReason ?? 'generator could not deliver'})`;
  return ` -> rx ${formatPps(r.received / r.durationS)}, loss ${(r.lossRatio * 100).toFixed(3)}%`;
}

/** The status line of a search event. */
export function formatSearchLine(p: SearchProgress): string {
  const bounds = p.bounds.map((b) => `${b.name} [${formatBound(b.lower)}, ${formatBound(b.upper)}]`).join(' ');
  const head = `search ${p.goal} ${p.target + 1}/${p.targets} | ${formatPps(p.pps)} x ${p.durationS.toFixed(p.durationS < 10 ? 2 : 0)} s`;
  const tail = ` | ${bounds} | ${formatDuration(p.elapsedS)} / ~${formatDuration(p.estimateS)}`;
  return head + (p.result !== undefined ? formatOutcome(p.result) : '') + tail;
}

/** The status line of a sweep event; elapsed/estimate come from the caller's clock. */
export function formatSweepLine(p: SweepProgress, elapsedS: number, estimateS: number): string {
  const head = `sweep ${p.index + 1}/${p.count}${p.retry ? ' (retry)' : ''} | ${formatPps(p.pps)} x ${p.durationS} s`;
  return head + (p.result !== undefined ? formatOutcome(p.result) : '') + ` | ${formatDuration(elapsedS)} / ~${formatDuration(estimateS)}`;
}

export class Progress {
  readonly stream: ProgressStream;
  readonly tty: boolean;
  private readonly now: () => number;
  private live = false;
  private phaseStart: number;

  constructor(options: ProgressOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? this.stream.isTTY === true;
    this.now = options.now ?? (() => performance.now());
    this.phaseStart = this.now();
  }

  /** Starts a phase ('sweep', 'search (quick)', 'calibrate'): a line of its own, and its clock. */
  phase(name: string): void {
    this.note(`== ${name}`);
    this.phaseStart = this.now();
  }

  /** A line that stays (clears the live line first on a TTY). */
  note(text: string): void {
    if (this.live) this.stream.write('\r\x1b[K');
    this.live = false;
    this.stream.write(text + '\n');
  }

  /** Handler for mlrSearch's onProgress. */
  readonly search = (p: SearchProgress): void => {
    this.show(formatSearchLine(p), p.event === 'trial-end');
  };

  /** Handler for rateSweep's onProgress. */
  readonly sweep = (p: SweepProgress): void => {
    const elapsed = (this.now() - this.phaseStart) / 1000;
    const done = p.index + (p.event === 'trial-end' ? 1 : 0);
    const estimate = done > 0 ? (elapsed / done) * p.count : p.count * p.durationS;
    this.show(formatSweepLine(p, elapsed, Math.max(elapsed, estimate)), p.event === 'trial-end');
  };

  /** Ends the live line (call before printing the results). */
  done(): void {
    if (this.live) this.stream.write('\n');
    this.live = false;
  }

  private show(line: string, finished: boolean): void {
    if (this.tty) {
      const width = Math.max(20, (this.stream.columns ?? 120) - 1);
      this.stream.write('\r' + (line.length > width ? line.slice(0, width - 1) + '…' : line) + '\x1b[K');
      this.live = true;
    } else if (finished) {
      this.stream.write(line + '\n');
    }
  }
}
