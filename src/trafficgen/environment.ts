// The environment record of a benchmark run (results.json `environment`): kernel (os.release), Node
// version, CPU model and count, hostname and the date, so a result always says where it was measured.
// Input: the running machine (or injected facts in tests); output a plain JSON object.
import os from 'node:os';

export interface BenchEnvironment {
  /** Kernel release, e.g. '6.8.0-45-generic' (os.release()). */
  readonly kernel: string;
  /** Node version, e.g. 'v20.19.1'. */
  readonly node: string;
  /** CPU model name of the first CPU ('unknown' when the OS does not say). */
  readonly cpu: string;
  /** Logical CPUs available to this process. */
  readonly cores: number;
  readonly hostname: string;
  /** ISO 8601 date and time of the run. */
  readonly date: string;
}

export interface EnvironmentFacts {
  readonly release?: () => string;
  readonly version?: string;
  readonly cpus?: () => readonly { model: string }[];
  readonly availableParallelism?: () => number;
  readonly hostname?: () => string;
  readonly date?: Date;
}

export function collectEnvironment(facts: EnvironmentFacts = {}): BenchEnvironment {
  const cpus = (facts.cpus ?? os.cpus)();
  const model = cpus[0]?.model?.trim();
  const parallel = facts.availableParallelism ?? (typeof os.availableParallelism === 'function' ? os.availableParallelism : () => cpus.length);
  return {
    kernel: (facts.release ?? os.release)(),
    node: facts.version ?? process.version,
    cpu: model !== undefined && model !== '' ? model.replace(/\s+/g, ' ') : 'unknown',
    cores: Math.max(1, parallel()),
    hostname: (facts.hostname ?? os.hostname)(),
    date: (facts.date ?? new Date()).toISOString(),
  };
}
