// The p4tee measurement: SHA-384 over three components in a fixed canonical form, so that the same
// enclave code, compiled program and installed table state give the same 48 bytes on any machine.
// Input: enclave code files (name + bytes), the generated JavaScript of the program, and the table
// state as text (one `table_dump` per table, tables sorted by name). Output: the measurement and
// the digest of each component (so a verifier can say which one differs).
import { createHash } from 'node:crypto';

export const MEASUREMENT_DOMAIN = 'p4tee-measurement/v1';

export interface EnclaveCodeFile {
  /** A stable name (e.g. the module file name); never an absolute path, which differs per machine. */
  readonly name: string;
  readonly bytes: Uint8Array;
}

export interface MeasurementInput {
  readonly enclaveCode: readonly EnclaveCodeFile[];
  /** The compiled program (generated JavaScript text). */
  readonly program: string;
  /** The canonical table state (see canonicalTableState). */
  readonly tables: string;
}

export interface Measurement {
  /** SHA-384(domain || enclave || program || tables), 48 bytes. */
  readonly value: Uint8Array;
  readonly enclave: Uint8Array;
  readonly program: Uint8Array;
  readonly tables: Uint8Array;
}

function u32be(n: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; }
function u64be(n: number): Buffer { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; }

/** Enclave component: files sorted by the bytes of their names, each framed as len(name) name len(bytes) bytes. */
export function measureEnclaveCode(files: readonly EnclaveCodeFile[]): Uint8Array | string {
  const named = files.map((f) => ({ name: Buffer.from(f.name, 'utf8'), bytes: f.bytes }));
  named.sort((a, b) => Buffer.compare(a.name, b.name));
  for (let i = 1; i < named.length; i++) {
    if (named[i]!.name.equals(named[i - 1]!.name)) return `enclave code file '${named[i]!.name.toString()}' is given twice`;
  }
  const h = createHash('sha384').update(`${MEASUREMENT_DOMAIN} enclave\n`).update(u32be(named.length));
  for (const f of named) h.update(u32be(f.name.length)).update(f.name).update(u64be(f.bytes.length)).update(f.bytes);
  return h.digest();
}

/** Text components: the domain line, then the text with line endings normalised to \n. */
function measureText(label: string, text: string): Uint8Array {
  return createHash('sha384').update(`${MEASUREMENT_DOMAIN} ${label}\n`).update(text.replace(/\r\n/g, '\n'), 'utf8').digest();
}

/** Combines the three component digests. */
export function combineMeasurement(enclave: Uint8Array, program: Uint8Array, tables: Uint8Array): Uint8Array {
  return createHash('sha384').update(`${MEASUREMENT_DOMAIN}\n`).update(enclave).update(program).update(tables).digest();
}

export function measure(input: MeasurementInput): Measurement | string {
  const enclave = measureEnclaveCode(input.enclaveCode);
  if (typeof enclave === 'string') return enclave;
  const program = measureText('program', input.program);
  const tables = measureText('tables', input.tables);
  return { value: combineMeasurement(enclave, program, tables), enclave, program, tables };
}

/**
 * Table state in canonical form: for each table, sorted by name, a header line `table NAME`
 * followed by its `table_dump` text (entries by handle, then the default entry), trailing spaces
 * trimmed. The handles are part of the state: the same commands in the same order give the same text.
 */
export function canonicalTableState(dumps: readonly { readonly name: string; readonly text: string }[]): string {
  const sorted = [...dumps].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const d of sorted) {
    out.push(`table ${d.name}`);
    for (const line of d.text.replace(/\r\n/g, '\n').split('\n')) out.push(line.trimEnd());
  }
  return out.join('\n') + '\n';
}
