// Helpers for the table tests and the benchmark: small TableInfo / ActionInfo builders and a
// key writer. Not used by the runtime itself.

import { wordsFor } from '../abi.js';
import type { ActionInfo, EntryInfo, KeyFieldInfo, MatchKindValue, TableInfo } from '../abi.js';
import { readWords, writeWords } from './values.js';
import type { Table } from './table.js';

export function action(id: number, name: string, widths: number[] = [], flags: { defaultOnly?: boolean; tableOnly?: boolean } = {}): ActionInfo {
  return {
    id,
    name,
    params: widths.map((width, i) => ({ name: `p${i}`, width })),
    defaultOnly: flags.defaultOnly ?? false,
    tableOnly: flags.tableOnly ?? false,
  };
}

/** NoAction (0), set(32-bit) (1), pair(9-bit, 48-bit) (2), wide(128-bit) (3), only_default (4), only_table(8-bit) (5), other (6). */
export const ACTIONS: ActionInfo[] = [
  action(0, 'NoAction'),
  action(1, 'c.set', [32]),
  action(2, 'c.pair', [9, 48]),
  action(3, 'c.wide', [128]),
  action(4, 'c.only_default', [], { defaultOnly: true }),
  action(5, 'c.only_table', [8], { tableOnly: true }),
  action(6, 'c.other'),
];

export function key(name: string, match: MatchKindValue, width: number): KeyFieldInfo {
  return { name, match, width };
}

export function tableInfo(keys: KeyFieldInfo[], over: Partial<TableInfo> = {}): TableInfo {
  return {
    id: 0,
    name: 'c.t',
    keys,
    actionIds: [0, 1, 2, 3, 4, 5],
    defaultActionId: 0,
    defaultArgs: [],
    defaultConst: false,
    size: 1024,
    constEntries: false,
    entries: [] as EntryInfo[],
    implementation: null,
    directCounter: null,
    directMeter: null,
    largestPriorityWins: true,
    ...over,
  };
}

/** Writes the key field values (bigint, in key order) into t.key. */
export function setKey(t: Table, values: readonly bigint[]): void {
  let off = 0;
  t.info.keys.forEach((k, i) => {
    writeWords(values[i], k.width, t.key, off);
    off += wordsFor(k.width);
  });
}

/** Looks `values` up; returns null on a miss, else [actionId, first param as bigint (or -1n)]. */
export function probe(t: Table, values: readonly bigint[]): { hit: boolean; actionId: number; arg0: bigint; entry: number } {
  setKey(t, values);
  const hit = t.lookup();
  let arg0 = -1n;
  const params = ACTIONS[t.actionId]?.params ?? [];
  if (params.length > 0) arg0 = readWords(t.data, t.dataOffset, wordsFor(params[0].width));
  return { hit, actionId: t.actionId, arg0, entry: t.entry };
}
