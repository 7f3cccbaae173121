// The CPUs this process may run on, read from /proc/self/status (Cpus_allowed_list, e.g. "0" or
// "0-3,6"). Used to tell when two sides of a boundary must share one CPU (switchless spinning is
// then pointless). Input: nothing (or the text of a status file, for tests); output: the CPU
// numbers in order, or null where the list cannot be read (not Linux, no procfs).
import { readFileSync } from 'node:fs';

/** Parses a kernel CPU list such as "0-2,5": [0, 1, 2, 5]; null when it is not one. */
export function parseCpuList(text: string): number[] | null {
  const out: number[] = [];
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (m === null) return null;
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    if (b < a || b - a > 4096) return null;
    for (let c = a; c <= b; c++) out.push(c);
  }
  return out.length > 0 ? out : null;
}

/** The CPUs this process may run on (its affinity), or null when unknown. */
export function cpuAffinity(statusText?: string): number[] | null {
  let text = statusText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/status', 'utf8');
    } catch {
      return null;
    }
  }
  const m = /^Cpus_allowed_list:\s*(.+)$/m.exec(text);
  return m === null ? null : parseCpuList(m[1]);
}
