// Test helper (root only): a network namespace holding one veth pair, both ends and lo up and IPv6
// off (no router solicitations among the test's frames), deleted by remove() or at process exit.
// Used by the AF_XDP port tests and the traffic generator's AF_XDP test.
import { execFileSync, spawnSync } from 'node:child_process';

export interface VethNetns {
  readonly ns: string;
  readonly a: string;
  readonly b: string;
  /** Runs `ip ARGS` and returns its stdout; throws when ip fails. */
  ip(...args: string[]): string;
  /** Deletes the namespace and the pair in it; harmless twice. */
  remove(): void;
}

/** Creates namespace `ns` with the veth pair a <-> b inside, both up; throws (after cleaning up) when ip fails. */
export function vethNetns(ns: string, a: string, b: string): VethNetns {
  const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const remove = (): void => {
    spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    process.removeListener('exit', remove);
  };
  process.once('exit', remove);
  try {
    ip('netns', 'add', ns);
    ip('-n', ns, 'link', 'add', a, 'type', 'veth', 'peer', 'name', b);
    spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6'], { stdio: 'ignore' });
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'link', 'set', a, 'up');
    ip('-n', ns, 'link', 'set', b, 'up');
  } catch (e) {
    remove();
    throw e;
  }
  return { ns, a, b, ip, remove };
}
