// Scopes and symbols of the checker. A Scope maps names to value symbols (variables,
// constants, parameters, instances, tables, actions, functions: overloadable by arity) and to
// type symbols (headers, structs, externs, typedefs, type variables, ...), in two namespaces.
// Lookup walks outward to the top level; `.name` looks only at the top level.
import type * as ast from '../syntax/ast.js';
import type { Type, TypeVar } from './types.js';
import type { Value } from './constants.js';

export type ValueKind =
  | 'variable' | 'constant' | 'parameter' | 'instance' | 'table' | 'action' | 'function'
  | 'externFunction' | 'valueSet' | 'matchKind' | 'loopVariable';

export interface ValueSym {
  readonly kind: ValueKind;
  readonly name: string;
  type: Type;
  /** The declaring node: VariableDeclaration, ConstantDeclaration, Parameter, InstantiationDeclaration,
   *  TableDeclaration, ActionDeclaration, FunctionDeclaration, ExternDeclaration, ValueSetDeclaration,
   *  Ident (match_kind member), ForInStatement. */
  readonly node: ast.Node;
  /** For parameters: their direction ('none' otherwise). */
  readonly direction: ast.Direction;
  /** For constants (and constructor parameters bound to constants): the compile-time value. */
  value: Value | undefined;
  /** For parameters: the parameter belongs to a parser/control/package constructor or an action's data. */
  readonly role: 'plain' | 'ctorParam' | 'actionData';
}

export interface TypeSym {
  readonly name: string;
  /** The declaring node (a declaration or, for type variables, the Ident). */
  readonly node: ast.Node;
  type: Type;
  /** Type parameters of a generic declaration (the type mentions them). */
  readonly typeParams: readonly TypeVar[];
  /** Parser/control declarations (not just their types) can be instantiated. */
  readonly instantiable: boolean;
}

export class Scope {
  readonly parent: Scope | null;
  readonly values = new Map<string, ValueSym[]>();
  readonly types = new Map<string, TypeSym>();
  constructor(parent: Scope | null) {
    this.parent = parent;
  }

  lookupValues(name: string): ValueSym[] | undefined {
    for (let s: Scope | null = this; s !== null; s = s.parent) {
      const v = s.values.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  lookupType(name: string): TypeSym | undefined {
    for (let s: Scope | null = this; s !== null; s = s.parent) {
      const t = s.types.get(name);
      if (t !== undefined) return t;
    }
    return undefined;
  }

  /** True when `name` is declared as a value in this scope or a closer one than any type of that name. */
  valueIsCloser(name: string): boolean {
    for (let s: Scope | null = this; s !== null; s = s.parent) {
      if (s.values.has(name)) return true;
      if (s.types.has(name)) return false;
    }
    return false;
  }
}
