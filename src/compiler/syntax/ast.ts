// The P4_16 abstract syntax tree: what the parser produces and the checker reads.
// Plain data: discriminated unions on `kind`, every node with a `span` into the unit's
// preprocessed text. The checker does not mutate nodes; it records what it learns (types,
// resolved declarations, constant values) in side tables keyed by node, so that lowering
// to the IR can walk this tree once more without re-parsing.
import type { Span } from '../source/span.js';

// ---------------------------------------------------------------------------------------
// Names, annotations, integers

export interface Ident {
  readonly kind: 'Ident';
  readonly name: string;
  readonly span: Span;
}

/** An annotation: `@name`, `@name(tokens...)` (unstructured) or `@name[...]` (structured). */
export interface Annotation {
  readonly kind: 'Annotation';
  readonly name: Ident;
  /** `unstructured`: raw tokens between parentheses (may be empty); `structured`: `[...]` body; `none`: bare @name. */
  readonly body:
    | { readonly kind: 'none' }
    | { readonly kind: 'unstructured'; readonly tokens: readonly AnnotationToken[]; readonly text: string }
    | { readonly kind: 'expressions'; readonly items: readonly Expression[] }
    | { readonly kind: 'kvpairs'; readonly items: readonly KeyValue[] };
  readonly span: Span;
}

export interface AnnotationToken {
  readonly text: string;
  readonly span: Span;
}

export interface KeyValue {
  readonly kind: 'KeyValue';
  readonly key: Ident;
  readonly value: Expression;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------
// Types as written in the source

export type TypeRef =
  | BitTypeRef
  | VarbitTypeRef
  | BoolTypeRef
  | StringTypeRef
  | ErrorTypeRef
  | MatchKindTypeRef
  | VoidTypeRef
  | DontCareTypeRef
  | NamedTypeRef
  | SpecializedTypeRef
  | StackTypeRef
  | TupleTypeRef
  | ListTypeRef;

/** `bit<W>`, `int<W>`, plain `bit` (= bit<1>) and plain `int` (arbitrary precision). */
export interface BitTypeRef {
  readonly kind: 'BitTypeRef';
  readonly signed: boolean;
  /** Width expression; null for `int` (arbitrary precision) and for `bit` (then implicitWidth1 = true). */
  readonly width: Expression | null;
  readonly implicitWidth1: boolean;
  readonly span: Span;
}
export interface VarbitTypeRef { readonly kind: 'VarbitTypeRef'; readonly width: Expression; readonly span: Span }
export interface BoolTypeRef { readonly kind: 'BoolTypeRef'; readonly span: Span }
export interface StringTypeRef { readonly kind: 'StringTypeRef'; readonly span: Span }
export interface ErrorTypeRef { readonly kind: 'ErrorTypeRef'; readonly span: Span }
export interface MatchKindTypeRef { readonly kind: 'MatchKindTypeRef'; readonly span: Span }
export interface VoidTypeRef { readonly kind: 'VoidTypeRef'; readonly span: Span }
/** `_` as a type argument. */
export interface DontCareTypeRef { readonly kind: 'DontCareTypeRef'; readonly span: Span }
/** A type name, possibly with a leading dot (top-level scope). May name a type variable. */
export interface NamedTypeRef {
  readonly kind: 'NamedTypeRef';
  readonly name: Ident;
  readonly global: boolean;
  readonly span: Span;
}
/** `Name<T1, T2>`. */
export interface SpecializedTypeRef {
  readonly kind: 'SpecializedTypeRef';
  readonly base: NamedTypeRef;
  readonly args: readonly TypeRef[];
  readonly span: Span;
}
/** `T[size]`: a header stack (or array). */
export interface StackTypeRef {
  readonly kind: 'StackTypeRef';
  readonly element: TypeRef;
  readonly size: Expression;
  readonly span: Span;
}
export interface TupleTypeRef { readonly kind: 'TupleTypeRef'; readonly elements: readonly TypeRef[]; readonly span: Span }
export interface ListTypeRef { readonly kind: 'ListTypeRef'; readonly element: TypeRef; readonly span: Span }

// ---------------------------------------------------------------------------------------
// Expressions

export type Expression =
  | IntegerLiteral
  | BoolLiteral
  | StringLiteral
  | PathExpression
  | ThisExpression
  | DontCareExpression
  | DefaultExpression
  | DotsExpression
  | MemberExpression
  | TypeMemberExpression
  | IndexExpression
  | SliceExpression
  | UnaryExpression
  | BinaryExpression
  | TernaryExpression
  | CastExpression
  | CallExpression
  | ConstructorCallExpression
  | ListExpression
  | StructExpression
  | InvalidHeaderExpression
  | MaskExpression
  | RangeExpression
  | ErrorExpression;

/**
 * An integer literal. `value` is the arbitrary-precision value (always >= 0; a leading minus is a
 * UnaryExpression). `width`/`signed` are set for literals written with a width, such as 8w255 or 4s3.
 */
export interface IntegerLiteral {
  readonly kind: 'IntegerLiteral';
  readonly value: bigint;
  readonly width: number | null;
  readonly signed: boolean;
  readonly text: string;
  readonly span: Span;
}
export interface BoolLiteral { readonly kind: 'BoolLiteral'; readonly value: boolean; readonly span: Span }
export interface StringLiteral { readonly kind: 'StringLiteral'; readonly value: string; readonly span: Span }
/** A name used as a value: `x`, `.x` (top-level scope). */
export interface PathExpression {
  readonly kind: 'PathExpression';
  readonly name: Ident;
  readonly global: boolean;
  readonly span: Span;
}
export interface ThisExpression { readonly kind: 'ThisExpression'; readonly span: Span }
/** `_` in an expression (don't-care argument, keyset wildcard). */
export interface DontCareExpression { readonly kind: 'DontCareExpression'; readonly span: Span }
/** `default` as a keyset or switch label. */
export interface DefaultExpression { readonly kind: 'DefaultExpression'; readonly span: Span }
/** `...` as an argument or in a struct initializer / entry key. */
export interface DotsExpression { readonly kind: 'DotsExpression'; readonly span: Span }
/** `expr.member`. */
export interface MemberExpression {
  readonly kind: 'MemberExpression';
  readonly object: Expression;
  readonly member: Ident;
  readonly span: Span;
}
/** `TypeName.member` and `error.member`: a member of a type (enum member, error, serializable enum). */
export interface TypeMemberExpression {
  readonly kind: 'TypeMemberExpression';
  /** The type whose member is named: a NamedTypeRef, a SpecializedTypeRef or an ErrorTypeRef. */
  readonly type: TypeRef;
  readonly member: Ident;
  readonly span: Span;
}
export interface IndexExpression {
  readonly kind: 'IndexExpression';
  readonly object: Expression;
  readonly index: Expression;
  readonly span: Span;
}
/** `e[hi:lo]` and, with `plusWidth`, `e[base +: width]` (hi = base, lo = width). */
export interface SliceExpression {
  readonly kind: 'SliceExpression';
  readonly object: Expression;
  readonly hi: Expression;
  readonly lo: Expression;
  readonly plusWidth: boolean;
  readonly span: Span;
}
export type UnaryOperator = '!' | '~' | '-' | '+';
export interface UnaryExpression {
  readonly kind: 'UnaryExpression';
  readonly op: UnaryOperator;
  readonly operand: Expression;
  readonly span: Span;
}
export type BinaryOperator =
  | '*' | '/' | '%' | '+' | '-' | '|+|' | '|-|' | '<<' | '>>'
  | '<=' | '>=' | '<' | '>' | '!=' | '==' | '&' | '^' | '|' | '++' | '&&' | '||';
export interface BinaryExpression {
  readonly kind: 'BinaryExpression';
  readonly op: BinaryOperator;
  readonly left: Expression;
  readonly right: Expression;
  readonly span: Span;
}
export interface TernaryExpression {
  readonly kind: 'TernaryExpression';
  readonly condition: Expression;
  readonly then: Expression;
  readonly else: Expression;
  readonly span: Span;
}
/** `(Type) expr`. */
export interface CastExpression {
  readonly kind: 'CastExpression';
  readonly type: TypeRef;
  readonly operand: Expression;
  readonly span: Span;
}
/** `f(args)`, `f<T>(args)`, `x.m(args)`, `t.apply()`, `h.isValid()`. */
export interface CallExpression {
  readonly kind: 'CallExpression';
  readonly callee: Expression;
  readonly typeArgs: readonly TypeRef[];
  readonly args: readonly Argument[];
  readonly span: Span;
}
/** `Type(args)` used as an expression (extern/parser/control instantiation inside an argument list). */
export interface ConstructorCallExpression {
  readonly kind: 'ConstructorCallExpression';
  readonly type: NamedTypeRef | SpecializedTypeRef;
  readonly args: readonly Argument[];
  readonly span: Span;
}
/** `{ e1, e2 }`: a list / tuple / header / struct initializer by position (type from context). */
export interface ListExpression {
  readonly kind: 'ListExpression';
  readonly elements: readonly Expression[];
  readonly span: Span;
}
/** `{ a = e1, b = e2 }` and `{ a = e1, ... }`; with `type`, `T { ... }` is not P4_16 syntax, so type is set only by the checker. */
export interface StructExpression {
  readonly kind: 'StructExpression';
  readonly fields: readonly KeyValue[];
  /** `...` at the end: remaining fields are don't-care / default. */
  readonly dots: boolean;
  readonly span: Span;
}
/** `{#}`: the invalid header or header union. */
export interface InvalidHeaderExpression { readonly kind: 'InvalidHeaderExpression'; readonly span: Span }
/** `value &&& mask` (keysets only). */
export interface MaskExpression {
  readonly kind: 'MaskExpression';
  readonly value: Expression;
  readonly mask: Expression;
  readonly span: Span;
}
/** `lo .. hi` (keysets, for-in ranges). */
export interface RangeExpression {
  readonly kind: 'RangeExpression';
  readonly lo: Expression;
  readonly hi: Expression;
  readonly span: Span;
}
/** Placeholder left by error recovery; the checker ignores it silently. */
export interface ErrorExpression { readonly kind: 'ErrorExpression'; readonly span: Span }

/** A call argument: positional, named (`name = expr`), or don't-care (`_`, as DontCareExpression). */
export interface Argument {
  readonly kind: 'Argument';
  readonly name: Ident | null;
  readonly value: Expression;
  readonly span: Span;
}

// ---------------------------------------------------------------------------------------
// Statements

export type Statement =
  | AssignmentStatement
  | MethodCallStatement
  | DirectApplyStatement
  | IfStatement
  | BlockStatement
  | EmptyStatement
  | ReturnStatement
  | ExitStatement
  | BreakStatement
  | ContinueStatement
  | SwitchStatement
  | ForStatement
  | ForInStatement
  | VariableDeclaration
  | ConstantDeclaration
  | InstantiationDeclaration
  | ErrorStatement;

export type AssignmentOperator =
  | '=' | '*=' | '/=' | '%=' | '+=' | '-=' | '|+|=' | '|-|=' | '<<=' | '>>=' | '&=' | '|=' | '^=';
export interface AssignmentStatement {
  readonly kind: 'AssignmentStatement';
  readonly op: AssignmentOperator;
  readonly target: Expression;
  readonly value: Expression;
  readonly span: Span;
}
export interface MethodCallStatement { readonly kind: 'MethodCallStatement'; readonly call: CallExpression; readonly span: Span }
/** `Type.apply(args);` : applying a parser or control type without declaring an instance. */
export interface DirectApplyStatement {
  readonly kind: 'DirectApplyStatement';
  readonly type: NamedTypeRef | SpecializedTypeRef;
  readonly args: readonly Argument[];
  readonly span: Span;
}
export interface IfStatement {
  readonly kind: 'IfStatement';
  readonly condition: Expression;
  readonly then: Statement;
  readonly else: Statement | null;
  readonly span: Span;
}
export interface BlockStatement {
  readonly kind: 'BlockStatement';
  readonly annotations: readonly Annotation[];
  readonly statements: readonly Statement[];
  readonly span: Span;
}
export interface EmptyStatement { readonly kind: 'EmptyStatement'; readonly span: Span }
export interface ReturnStatement { readonly kind: 'ReturnStatement'; readonly value: Expression | null; readonly span: Span }
export interface ExitStatement { readonly kind: 'ExitStatement'; readonly span: Span }
export interface BreakStatement { readonly kind: 'BreakStatement'; readonly span: Span }
export interface ContinueStatement { readonly kind: 'ContinueStatement'; readonly span: Span }
export interface SwitchStatement {
  readonly kind: 'SwitchStatement';
  readonly expression: Expression;
  readonly cases: readonly SwitchCase[];
  readonly span: Span;
}
/** One `label:` of a switch; `body` null means fall-through to the next case. */
export interface SwitchCase {
  readonly kind: 'SwitchCase';
  /** A DefaultExpression for `default`, else the label expression (action name or constant). */
  readonly label: Expression;
  readonly body: BlockStatement | null;
  readonly span: Span;
}
/** `for (init; cond; update) body`. */
export interface ForStatement {
  readonly kind: 'ForStatement';
  readonly annotations: readonly Annotation[];
  readonly init: readonly Statement[];
  readonly condition: Expression;
  readonly update: readonly Statement[];
  readonly body: Statement;
  readonly span: Span;
}
/** `for (T x in collection) body`; collection is an expression or a RangeExpression. */
export interface ForInStatement {
  readonly kind: 'ForInStatement';
  readonly annotations: readonly Annotation[];
  readonly varAnnotations: readonly Annotation[];
  readonly type: TypeRef;
  readonly name: Ident;
  readonly collection: Expression;
  readonly body: Statement;
  readonly span: Span;
}
/** Placeholder left by error recovery. */
export interface ErrorStatement { readonly kind: 'ErrorStatement'; readonly span: Span }

// ---------------------------------------------------------------------------------------
// Declarations

export type Direction = 'none' | 'in' | 'out' | 'inout';

export interface Parameter {
  readonly kind: 'Parameter';
  readonly annotations: readonly Annotation[];
  readonly direction: Direction;
  readonly type: TypeRef;
  readonly name: Ident;
  readonly defaultValue: Expression | null;
  readonly span: Span;
}

export type Declaration =
  | ConstantDeclaration
  | VariableDeclaration
  | InstantiationDeclaration
  | ExternDeclaration
  | ActionDeclaration
  | FunctionDeclaration
  | ParserDeclaration
  | ParserTypeDeclaration
  | ControlDeclaration
  | ControlTypeDeclaration
  | PackageTypeDeclaration
  | HeaderDeclaration
  | HeaderUnionDeclaration
  | StructDeclaration
  | EnumDeclaration
  | ErrorDeclaration
  | MatchKindDeclaration
  | TypedefDeclaration
  | TableDeclaration
  | ValueSetDeclaration
  | ParserState
  | ErrorDeclarationNode;

export interface Program {
  readonly kind: 'Program';
  readonly declarations: readonly Declaration[];
  readonly span: Span;
}

export interface ConstantDeclaration {
  readonly kind: 'ConstantDeclaration';
  readonly annotations: readonly Annotation[];
  readonly type: TypeRef;
  readonly name: Ident;
  readonly value: Expression;
  readonly span: Span;
}
export interface VariableDeclaration {
  readonly kind: 'VariableDeclaration';
  readonly annotations: readonly Annotation[];
  readonly type: TypeRef;
  readonly name: Ident;
  readonly initializer: Expression | null;
  readonly span: Span;
}
/** `Type(args) name;` or `Type(args) name = { abstract method implementations };`. */
export interface InstantiationDeclaration {
  readonly kind: 'InstantiationDeclaration';
  readonly annotations: readonly Annotation[];
  readonly type: TypeRef;
  readonly args: readonly Argument[];
  readonly name: Ident;
  /** Functions and instantiations inside `= { ... }`, or null when there is no initializer. */
  readonly initializer: readonly (FunctionDeclaration | InstantiationDeclaration)[] | null;
  readonly span: Span;
}
/** A method (or constructor, when name equals the extern's name and returnType is null) of an extern. */
export interface MethodPrototype {
  readonly kind: 'MethodPrototype';
  readonly annotations: readonly Annotation[];
  readonly abstract: boolean;
  /** null for a constructor. */
  readonly returnType: TypeRef | null;
  readonly name: Ident;
  readonly typeParameters: readonly Ident[];
  readonly parameters: readonly Parameter[];
  readonly span: Span;
}
/** `extern Name<T> { methods }` (an extern object type) or `extern T f<...>(params);` (an extern function). */
export interface ExternDeclaration {
  readonly kind: 'ExternDeclaration';
  readonly annotations: readonly Annotation[];
  readonly name: Ident;
  readonly typeParameters: readonly Ident[];
  /** Set for an extern object type. */
  readonly methods: readonly MethodPrototype[] | null;
  /** Set for an extern function. */
  readonly function: MethodPrototype | null;
  readonly span: Span;
}
export interface ActionDeclaration {
  readonly kind: 'ActionDeclaration';
  readonly annotations: readonly Annotation[];
  readonly name: Ident;
  readonly parameters: readonly Parameter[];
  readonly body: BlockStatement;
  readonly span: Span;
}
export interface FunctionDeclaration {
  readonly kind: 'FunctionDeclaration';
  readonly annotations: readonly Annotation[];
  readonly returnType: TypeRef;
  readonly name: Ident;
  readonly typeParameters: readonly Ident[];
  readonly parameters: readonly Parameter[];
  readonly body: BlockStatement;
  readonly span: Span;
}
export interface ParserTypeDeclaration {
  readonly kind: 'ParserTypeDeclaration';
  readonly annotations: readonly Annotation[];
  readonly name: Ident;
  readonly typeParameters: readonly Ident[];
  readonly parameters: readonly Parameter[];
  readonly span: Span;
}
export interface ParserDeclaration {
  readonly kind: 'ParserDeclaration';
  readonly annotations: readonly Annotation[];
  readonly name: Ident;
  readonly typeParameters: readonly Ident[];
  readonly parameters: readonly Parameter[];
  readonly constructorParameters: readonly Parameter[];
  /** constants, variables, instantiations, value sets */
  readonly locals: readonly Declaration[];
  readonly states: readonly ParserState[];
  readonly span: Span;
}
export interface ParserState {
  readonly kind: 'ParserState';
  readonly annotations: readonly Annotation[];
  readonly name: Ident;
  readonly statements: readonly Statement[];
  /** null when the state has no transition statement (an implicit `transition reject`). */
  readonly transition: Transition | null;
  readonly span: Span;
}
export type Transition = DirectTransition | SelectTransition;
export interface DirectTransition { readonly kind: 'DirectTransition'; readonly state: Ident; readonly span: Span }
export interface SelectTransition {
  readonly kind: 'SelectTransition';
  readonly expressions: readonly Expression[];
  readonly cases: readonly SelectCase[];
  readonly span: Span;
}
export interface SelectCase {
  readonly kind: 'SelectCase';
  /**
   * One keyset per select expression. A single keyset (not in parentheses) is one element.
   * Elements may be expressions, MaskExpression, RangeExpression, DefaultExpression, DontCareExpression.
   */
  readonly keysets: readonly Expression[];
  /** true when the keysets were written in parentheses as a tuple. */
  readonly tuple: boolean;
  readonly state: Ident;
  readonly span: Span;
}
export interface ValueSetDeclaration {
  readonly kind: 'ValueSetDeclaration';
  readonly annotations: readonly Annotation[];
  readonly elementType: TypeRef;
  readonly size: Expression;
  readonly name: Ident;
  readonly span: Span;
}
export interface ControlTypeDeclaration {
  readonly kind: 'ControlTypeDeclaration';
  readonly annotations: readonly Annotation[];
  readonly name: Ident;
  readonly typeParameters: readonly Ident[];
  readonly parameters: readonly Parameter[];
  readonly span: Span;
}
export interface ControlDeclaration {
  readonly kind: 'ControlDeclaration';
  readonly annotations: readonly Annotation[];
  readonly name: Ident;
  readonly typeParameters: readonly Ident[];
  readonly parameters: readonly Parameter[];
  readonly constructorParameters: readonly Parameter[];
  /** constants, variables, instantiations, actions, tables, functions */
  readonly locals: readonly Declaration[];
  readonly body: BlockStatement;
  readonly span: Span;
}
export interface PackageTypeDeclaration {
  readonly kind: 'PackageTypeDeclaration';
  readonly annotations: readonly Annotation[];
  readonly name: Ident;
  readonly typeParameters: readonly Ident[];
  readonly parameters: readonly Parameter[];
  readonly span: Span;
}
export interface StructField {
  readonly kind: 'StructField';
  readonly annotations: readonly Annotation[];
  readonly type: TypeRef;
  readonly name: Ident;
  readonly span: Span;
}
export interface HeaderDeclaration {
  readonly kind: 'HeaderDeclaration';
  readonly annotations: readonly Annotation[];
  readonly name: Ident;
  readonly typeParameters: readonly Ident[];
  readonly fields: readonly StructField[];
  readonly span: Span;
}
export interface HeaderUnionDeclaration {
  readonly kind: 'HeaderUnionDeclaration';
  readonly annotations: readonly Annotation[];
  readonly name: Ident;
  readonly typeParameters: readonly Ident[];
  readonly fields: readonly StructField[];
  readonly span: Span;
}
export interface StructDeclaration {
  readonly kind: 'StructDeclaration';
  readonly annotations: readonly Annotation[];
  readonly name: Ident;
  readonly typeParameters: readonly Ident[];
  readonly fields: readonly StructField[];
  readonly span: Span;
}
export interface EnumMember {
  readonly kind: 'EnumMember';
  readonly annotations: readonly Annotation[];
  readonly name: Ident;
  /** Set for serializable enums. */
  readonly value: Expression | null;
  readonly span: Span;
}
/** `enum E { A, B }` or, with `underlying`, the serializable `enum bit<8> E { A = 1 }`. */
export interface EnumDeclaration {
  readonly kind: 'EnumDeclaration';
  readonly annotations: readonly Annotation[];
  readonly underlying: TypeRef | null;
  readonly name: Ident;
  readonly members: readonly EnumMember[];
  readonly span: Span;
}
export interface ErrorDeclaration { readonly kind: 'ErrorDeclaration'; readonly members: readonly Ident[]; readonly span: Span }
export interface MatchKindDeclaration { readonly kind: 'MatchKindDeclaration'; readonly members: readonly Ident[]; readonly span: Span }
/** `typedef T N;` (alias) or `type T N;` (new type, `isNewType`). */
export interface TypedefDeclaration {
  readonly kind: 'TypedefDeclaration';
  readonly annotations: readonly Annotation[];
  readonly isNewType: boolean;
  /** The aliased type; a derived type declared inline (`typedef header H {...} N;`) is also allowed. */
  readonly type: TypeRef | HeaderDeclaration | HeaderUnionDeclaration | StructDeclaration | EnumDeclaration;
  readonly name: Ident;
  readonly span: Span;
}

export interface KeyElement {
  readonly kind: 'KeyElement';
  readonly expression: Expression;
  readonly matchKind: Ident;
  readonly annotations: readonly Annotation[];
  readonly span: Span;
}
/** An action named in `actions = {...}` or `default_action`, possibly with (some) arguments. */
export interface ActionRef {
  readonly kind: 'ActionRef';
  readonly annotations: readonly Annotation[];
  readonly name: Ident;
  readonly global: boolean;
  /** null when written without parentheses. */
  readonly args: readonly Argument[] | null;
  readonly span: Span;
}
export interface TableEntry {
  readonly kind: 'TableEntry';
  readonly annotations: readonly Annotation[];
  readonly isConst: boolean;
  /** `priority = e:` before the keyset, or null. */
  readonly priority: Expression | null;
  /** keyset; a single keyset not in parentheses is one element. */
  readonly keys: readonly Expression[];
  readonly tuple: boolean;
  readonly action: ActionRef;
  readonly span: Span;
}
export type TableProperty =
  | { readonly kind: 'KeyProperty'; readonly elements: readonly KeyElement[]; readonly span: Span }
  | { readonly kind: 'ActionsProperty'; readonly actions: readonly ActionRef[]; readonly span: Span }
  | {
      readonly kind: 'EntriesProperty';
      readonly annotations: readonly Annotation[];
      readonly isConst: boolean;
      readonly entries: readonly TableEntry[];
      readonly span: Span;
    }
  | {
      /** Any other `name = value;`: default_action (value is then an ActionRef-like call), size, implementation, counters, ... */
      readonly kind: 'ValueProperty';
      readonly annotations: readonly Annotation[];
      readonly isConst: boolean;
      readonly name: Ident;
      readonly value: Expression;
      readonly span: Span;
    };
export interface TableDeclaration {
  readonly kind: 'TableDeclaration';
  readonly annotations: readonly Annotation[];
  readonly name: Ident;
  readonly properties: readonly TableProperty[];
  readonly span: Span;
}
/** Placeholder left by error recovery at declaration level. */
export interface ErrorDeclarationNode { readonly kind: 'ErrorDeclarationNode'; readonly span: Span }

/** Every node kind, for generic walkers. */
export type Node =
  | Program
  | Declaration
  | Statement
  | Expression
  | TypeRef
  | Ident
  | Annotation
  | KeyValue
  | Argument
  | Parameter
  | MethodPrototype
  | StructField
  | EnumMember
  | KeyElement
  | ActionRef
  | TableEntry
  | TableProperty
  | SwitchCase
  | SelectCase
  | Transition;
