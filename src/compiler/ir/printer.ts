// The IR as text (`p4tee compile --emit ir`, golden tests): one statement per line, locations as
// `name@offset`, types as bit<W>/int<W>/bool, tables and externs by name.
import type { Expr, IrProgram, Keyset, Loc, Stmt, Ty } from './ir.js';

function tyStr(t: Ty): string {
  return t.bool ? 'bool' : `${t.signed ? 'int' : 'bit'}<${t.width}>`;
}

function locStr(l: Loc): string {
  const base = l.space === 'data' ? `data.${l.name}@${l.offset}` : `${l.name}@${l.offset}`;
  return l.dyn === null ? base : `${base}[${exprStr(l.dyn.index)} * ${l.dyn.stride} < ${l.dyn.count}]`;
}

export function exprStr(e: Expr): string {
  switch (e.k) {
    case 'const': return e.ty.bool ? (e.value !== 0n ? 'true' : 'false') : `${e.ty.width}${e.ty.signed ? 's' : 'w'}${e.value}`;
    case 'read': return locStr(e.loc);
    case 'un': return `${e.op === 'neg' ? '-' : e.op}(${exprStr(e.a)})`;
    case 'bin': return `(${exprStr(e.a)} ${e.op} ${exprStr(e.b)})`;
    case 'cast': return `(${tyStr(e.ty)})${exprStr(e.a)}`;
    case 'slice': return `${exprStr(e.a)}[${e.hi}:${e.lo}]`;
    case 'concat': return `(${exprStr(e.a)} ++ ${exprStr(e.b)})`;
    case 'cond': return `(${exprStr(e.c)} ? ${exprStr(e.a)} : ${exprStr(e.b)})`;
    case 'lookahead': return `lookahead<${tyStr(e.ty)}>(+${e.skip})`;
    case 'call': return `${e.name}(${e.args.map(exprStr).join(', ')})`;
  }
}

function keysetStr(k: Keyset): string {
  switch (k.k) {
    case 'value': return String(k.value);
    case 'mask': return `${k.value} &&& ${k.mask}`;
    case 'range': return `${k.lo} .. ${k.hi}`;
    case 'default': return 'default';
    case 'valueSet': return `value_set#${k.extern}`;
  }
}

export function printIr(ir: IrProgram): string {
  const out: string[] = [];
  const info = ir.info;
  const put = (depth: number, s: string): void => { out.push('  '.repeat(depth) + s); };
  const stmts = (list: readonly Stmt[], d: number): void => { for (const s of list) stmt(s, d); };
  const stmt = (s: Stmt, d: number): void => {
    switch (s.k) {
      case 'assign': put(d, `${locStr(s.dst)} = ${exprStr(s.src)};`); break;
      case 'if':
        put(d, `if ${exprStr(s.c)} {`);
        stmts(s.then, d + 1);
        if (s.else.length > 0) { put(d, '} else {'); stmts(s.else, d + 1); }
        put(d, '}');
        break;
      case 'block': put(d, `${s.label}: {`); stmts(s.body, d + 1); put(d, '}'); break;
      case 'break': put(d, `break ${s.label};`); break;
      case 'continue': put(d, `continue ${s.label};`); break;
      case 'loop':
        put(d, `${s.label}: while ${exprStr(s.c)} {`);
        stmts(s.body, d + 1);
        put(d, '} then {');
        stmts(s.update, d + 1);
        put(d, '}');
        break;
      case 'exit': put(d, 'exit;'); break;
      case 'switch':
        put(d, `switch ${exprStr(s.e)} {`);
        for (const c of s.cases) {
          put(d + 1, `${c.values.length === 0 ? 'default' : c.values.join(', ')}: {`);
          stmts(c.body, d + 2);
          put(d + 1, '}');
        }
        put(d, '}');
        break;
      case 'table': {
        const t = info.tables[s.table];
        put(d, `apply ${t.name} key(${s.keys.map(exprStr).join(', ')})${s.hit ? ` hit->${locStr(s.hit)}` : ''}${s.run ? ` action->${locStr(s.run)}` : ''} {`);
        for (const a of s.actions) {
          put(d + 1, `${info.actions[a.actionId]?.name ?? a.actionId}: {`);
          stmts(a.body, d + 2);
          put(d + 1, '}');
        }
        put(d, '}');
        break;
      }
      case 'validity': put(d, `${s.valid ? 'setValid' : 'setInvalid'} ${s.header.h.name}${s.header.dyn ? `[${exprStr(s.header.dyn.index)}]` : ''};`); break;
      case 'extract': put(d, `extract ${s.header.h.name}${s.header.mode === 'next' ? '.next' : ''}${s.varbitBits ? `, ${exprStr(s.varbitBits)}` : ''};`); break;
      case 'advance': put(d, `advance ${exprStr(s.bits)};`); break;
      case 'verify': put(d, `verify ${exprStr(s.c)}, error ${info.errors[s.error] ?? s.error};`); break;
      case 'emit': put(d, `emit ${s.header.h.name};`); break;
      case 'stackShift': put(d, `${s.op} ${s.first.name} by ${s.by};`); break;
      case 'extern': {
        const x = s.extern >= 0 ? ` ${info.externs[s.extern].name}` : '';
        const list = s.list === null ? '' : ` {${s.list.map((i) => ('e' in i ? exprStr(i.e) : i.header.h.name)).join(', ')}}`;
        put(d, `${s.out ? `${locStr(s.out)} = ` : ''}${s.name}${x}(${s.args.map(exprStr).join(', ')})${list};`);
        break;
      }
      case 'error': put(d, `error "${s.message}";`); break;
    }
  };
  out.push(`// IR of ${info.program}: ${ir.stateWords} state words`);
  out.push('layout {');
  for (const f of info.fields) out.push(`  ${f.name}: ${f.signed ? 'int' : 'bit'}<${f.width}> @${f.offset}`);
  out.push('}');
  for (const t of info.tables) {
    out.push(`table ${t.name} keys(${t.keys.map((k) => `${k.name}:${k.match}/${k.width}`).join(', ')}) actions(${t.actionIds.map((a) => info.actions[a].name).join(', ')}) default ${info.actions[t.defaultActionId]?.name}(${t.defaultArgs.join(', ')}) size ${t.size} entries ${t.entries.length}`);
  }
  for (const x of info.externs) out.push(`extern ${x.kind} ${x.name} size ${x.size}${x.type ? ` type ${x.type}` : ''}`);
  out.push(`parser ${ir.parser.name} {`);
  for (const st of ir.parser.states) {
    out.push(`  state ${st.name} {`);
    stmts(st.body, 2);
    const t = st.transition;
    if (t.k === 'goto') put(2, `transition ${t.state};`);
    else {
      put(2, `transition select(${t.keys.map(exprStr).join(', ')}) {`);
      for (const c of t.cases) put(3, `(${c.keysets.map(keysetStr).join(', ')}): ${c.state};`);
      put(2, '}');
    }
    out.push('  }');
  }
  out.push('}');
  const ctl = (kind: string, b: { name: string; body: Stmt[] }): void => {
    out.push(`control ${kind} ${b.name} {`);
    stmts(b.body, 1);
    out.push('}');
  };
  ctl('verifyChecksum', ir.verifyChecksum);
  ctl('ingress', ir.ingress);
  ctl('egress', ir.egress);
  ctl('computeChecksum', ir.computeChecksum);
  ctl('deparser', ir.deparser);
  return out.join('\n') + '\n';
}
