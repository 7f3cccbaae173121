// `p4tee netns up|down [--prefix p4t]` (root): the test topology. Two network namespaces,
// PREFIX-gen (traffic generator) and PREFIX-dut (device under test), joined by two veth pairs
// gen0<->dut0 and gen1<->dut1, links up, IPv6 off (no stray packets), addresses only inside them
// (10.111.0.0/24 and 10.111.1.0/24). `up` completes what exists; `down` removes the namespaces (and
// so the veths); both are idempotent. Uses iproute2's `ip`.
import type { Command } from 'commander';
import { spawnSync } from 'node:child_process';

export interface NetnsTopology {
  readonly gen: string;
  readonly dut: string;
  readonly links: readonly { gen: string; dut: string; genAddr: string; dutAddr: string }[];
}

export function topology(prefix: string): NetnsTopology {
  return {
    gen: `${prefix}-gen`,
    dut: `${prefix}-dut`,
    links: [
      { gen: 'gen0', dut: 'dut0', genAddr: '10.111.0.1/24', dutAddr: '10.111.0.2/24' },
      { gen: 'gen1', dut: 'dut1', genAddr: '10.111.1.1/24', dutAddr: '10.111.1.2/24' },
    ],
  };
}

function ip(args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10000 });
  if (r.error !== undefined) return { ok: false, out: '', err: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the `ip` command (iproute2) is not installed' : r.error.message };
  return { ok: r.status === 0, out: r.stdout, err: r.stderr.trim() };
}

function checkPrefix(prefix: string): string | null {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,24}$/.test(prefix) ? null : `--prefix must be 1-25 letters, digits, '_', '.' or '-', not '${prefix}'`;
}

function notRoot(): string | null {
  const uid = process.getuid?.();
  return uid === 0 ? null : 'p4tee netns needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN): run it with sudo';
}

function namespaces(): Set<string> {
  const r = ip(['netns', 'list']);
  // Lines look like "name" or "name (id: 3)".
  return new Set(r.out.split('\n').map((l) => l.trim().split(/\s+/)[0]!).filter((x) => x !== ''));
}

/** Builds (or completes) the topology; never throws. */
export function netnsUp(prefix: string): { ok: true; topology: NetnsTopology } | { ok: false; error: string } {
  const bad = checkPrefix(prefix) ?? notRoot();
  if (bad !== null) return { ok: false, error: bad };
  const t = topology(prefix);
  const step = (args: string[]): string | null => {
    const r = ip(args);
    return r.ok ? null : `ip ${args.join(' ')}: ${r.err || 'failed'}`;
  };
  const have = namespaces();
  for (const ns of [t.gen, t.dut]) {
    if (have.has(ns)) continue;
    const e = step(['netns', 'add', ns]);
    if (e !== null) return { ok: false, error: e };
  }
  for (const ns of [t.gen, t.dut]) {
    const e = step(['-n', ns, 'link', 'set', 'lo', 'up']);
    if (e !== null) return { ok: false, error: e };
    // IPv6 off: no router solicitations or DAD packets on the test links.
    spawnSync('ip', ['netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'], { timeout: 10000 });
  }
  for (const l of t.links) {
    const genHas = ip(['-n', t.gen, 'link', 'show', l.gen]).ok;
    const dutHas = ip(['-n', t.dut, 'link', 'show', l.dut]).ok;
    if (genHas !== dutHas) {
      // Half a pair (cannot happen with veths, but a rename could): start that pair again.
      if (genHas) step(['-n', t.gen, 'link', 'del', l.gen]);
      if (dutHas) step(['-n', t.dut, 'link', 'del', l.dut]);
    }
    if (!genHas || !dutHas) {
      // Both ends are created straight inside their namespaces: no name is ever taken in the host's.
      const e = step(['link', 'add', l.gen, 'netns', t.gen, 'type', 'veth', 'peer', 'name', l.dut, 'netns', t.dut]);
      if (e !== null) return { ok: false, error: e };
    }
    for (const [ns, dev, addr] of [[t.gen, l.gen, l.genAddr], [t.dut, l.dut, l.dutAddr]] as const) {
      let e = step(['-n', ns, 'addr', 'replace', addr, 'dev', dev]);
      if (e === null) e = step(['-n', ns, 'link', 'set', dev, 'up']);
      if (e !== null) return { ok: false, error: e };
    }
  }
  return { ok: true, topology: t };
}

/** Removes both namespaces (their veths go with them); fine when they do not exist. */
export function netnsDown(prefix: string): { ok: true; removed: string[] } | { ok: false; error: string } {
  const bad = checkPrefix(prefix) ?? notRoot();
  if (bad !== null) return { ok: false, error: bad };
  const t = topology(prefix);
  const have = namespaces();
  const removed: string[] = [];
  for (const ns of [t.gen, t.dut]) {
    if (!have.has(ns)) continue;
    const r = ip(['netns', 'del', ns]);
    if (!r.ok) return { ok: false, error: `ip netns del ${ns}: ${r.err}` };
    removed.push(ns);
  }
  return { ok: true, removed };
}

export function registerNetns(program: Command): void {
  program
    .command('netns')
    .description('build (up) or remove (down) the test topology: generator and DUT namespaces joined by two veth pairs (root)')
    .argument('<action>', 'up or down')
    .option('--prefix <name>', 'namespace name prefix: PREFIX-gen and PREFIX-dut', 'p4t')
    .option('--json', 'print the topology as JSON')
    .addHelpText(
      'after',
      '\nTopology (addresses exist only inside the namespaces):\n' +
        '  PREFIX-gen: gen0 10.111.0.1/24  <-veth->  PREFIX-dut: dut0 10.111.0.2/24\n' +
        '  PREFIX-gen: gen1 10.111.1.1/24  <-veth->  PREFIX-dut: dut1 10.111.1.2/24\n' +
        '\nExamples:\n' +
        '  sudo p4tee netns up\n' +
        '  sudo ip netns exec p4t-dut p4tee switch fwd.p4 -i 0@dut0 -i 1@dut1 --driver afxdp\n' +
        '  sudo p4tee netns down\n',
    )
    .action((action: string, flags: { prefix: string; json?: boolean }) => {
      if (action === 'up') {
        const r = netnsUp(flags.prefix);
        if (!r.ok) { process.stderr.write(`p4tee netns: ${r.error}\n`); process.exitCode = 1; return; }
        const t = r.topology;
        if (flags.json) process.stdout.write(JSON.stringify(t) + '\n');
        else {
          process.stdout.write(`namespaces: ${t.gen} (generator), ${t.dut} (device under test)\n`);
          for (const l of t.links) process.stdout.write(`  ${t.gen}:${l.gen} ${l.genAddr}  <->  ${t.dut}:${l.dut} ${l.dutAddr}\n`);
        }
      } else if (action === 'down') {
        const r = netnsDown(flags.prefix);
        if (!r.ok) { process.stderr.write(`p4tee netns: ${r.error}\n`); process.exitCode = 1; return; }
        if (flags.json) process.stdout.write(JSON.stringify({ removed: r.removed }) + '\n');
        else process.stdout.write(r.removed.length ? `removed ${r.removed.join(', ')}\n` : 'nothing to remove\n');
      } else {
        process.stderr.write(`p4tee netns: expected 'up' or 'down', not '${action}'\n`);
        process.exitCode = 2;
      }
    });
}
