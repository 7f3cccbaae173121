// Message codes of the compiler. Each code names one kind of mistake; tests in
// testdata/p4-errors/ refer to them as `//! P4Exxxx`. Codes are stable: never renumber one,
// add new ones at the end of their range. Ranges:
//   P4E00xx preprocessor      P4E01xx lexer and parser    P4E02xx names and scopes
//   P4E03xx types/expressions P4E04xx statements          P4E05xx declarations, instantiation
//   P4E06xx tables/actions    P4E07xx parsers             P4E08xx back end
//   P4E09xx command line and files
//   P4W0xxx warnings

export const Code = {
  // Preprocessor
  IncludeNotFound: 'P4E0001',
  ErrorDirective: 'P4E0002',
  BadDirective: 'P4E0003',
  UnterminatedConditional: 'P4E0004',
  MacroArguments: 'P4E0005',
  BadPreprocessorExpression: 'P4E0006',
  IncludeDepth: 'P4E0007',
  UnmatchedConditional: 'P4E0008',

  // Lexer and parser
  UnexpectedCharacter: 'P4E0101',
  UnterminatedComment: 'P4E0102',
  UnterminatedString: 'P4E0103',
  BadNumber: 'P4E0104',
  SyntaxError: 'P4E0105',
  ExpectedToken: 'P4E0106',
  ReservedWord: 'P4E0108',

  // Names and scopes
  UndeclaredName: 'P4E0201',
  DuplicateDeclaration: 'P4E0107',
  NotAType: 'P4E0202',
  NotAValue: 'P4E0203',
  UnknownMember: 'P4E0204',
  Shadowing: 'P4E0205',
  AmbiguousName: 'P4E0206',
  RecursiveType: 'P4E0207',

  // Types and expressions
  TypeMismatch: 'P4E0301',
  InvalidCast: 'P4E0302',
  BadWidth: 'P4E0303',
  NotLValue: 'P4E0304',
  ArgumentCount: 'P4E0305',
  DirectionMismatch: 'P4E0306',
  NotConstant: 'P4E0307',
  DivisionByZero: 'P4E0308',
  SliceOutOfRange: 'P4E0309',
  InvalidOperand: 'P4E0310',
  CannotInferType: 'P4E0311',
  TypeArgumentCount: 'P4E0312',
  NotCallable: 'P4E0313',
  IndexOutOfRange: 'P4E0314',
  Overflow: 'P4E0315',
  InvalidFieldType: 'P4E0316',
  NamedArguments: 'P4E0317',
  ReadOnly: 'P4E0318',
  UninitializedOut: 'P4E0319',

  // Statements
  BadReturn: 'P4E0401',
  BadExit: 'P4E0402',
  BadSwitch: 'P4E0403',
  DuplicateLabel: 'P4E0404',
  NotAllowedHere: 'P4E0405',
  BadLoop: 'P4E0406',
  MissingReturn: 'P4E0407',
  /** A TeeFunction call where the batch transition cannot split the control (parser, action, loop). */
  TeeCallPlacement: 'P4E0408',

  // Declarations and instantiation
  BadInstantiation: 'P4E0501',
  BadConstructorArgument: 'P4E0502',
  AbstractMethod: 'P4E0503',
  BadDeclaration: 'P4E0504',
  NoMain: 'P4E0505',
  BadEnum: 'P4E0506',
  BadAnnotation: 'P4E0507',
  RecursiveCall: 'P4E0508',
  /** TeeFunction<I, O>: I or O not a struct/header of bit<N> fields, or sizes not those of the enclave function. */
  TeeRecordType: 'P4E0509',
  /** TeeFunction: module/function names not string constants, or unknown to the given catalogue. */
  TeeUnknownFunction: 'P4E0510',

  // Tables and actions
  BadTableProperty: 'P4E0601',
  MissingActions: 'P4E0602',
  BadMatchKind: 'P4E0603',
  BadActionRef: 'P4E0604',
  BadEntry: 'P4E0605',
  BadDefaultAction: 'P4E0606',
  ActionDataDirection: 'P4E0607',
  DuplicateProperty: 'P4E0608',

  // Parsers
  UnknownState: 'P4E0701',
  MissingStartState: 'P4E0702',
  BadTransition: 'P4E0703',
  BadSelect: 'P4E0704',
  ReservedState: 'P4E0705',

  // Back end (lowering to the IR, code generation)
  BackendUnsupported: 'P4E0801',
  ArchitectureMismatch: 'P4E0802',
  /** Reserved: was the error for headers not a whole number of bytes, now warning P4W0009. */
  HeaderNotByteAlignedError: 'P4E0803',
  /** A TeeFunction call in a block other than ingress or egress. */
  TeeCallBlock: 'P4E0804',
  /** A register or meter written and used on both sides of a TeeFunction call (the batch transition would reorder it). */
  TeeStateSplit: 'P4E0805',

  // Command line and files
  FileNotFound: 'P4E0901',
  FileUnreadable: 'P4E0902',

  // Warnings
  UnusedValue: 'P4W0001',
  Truncation: 'P4W0002',
  UnreachableState: 'P4W0003',
  UninitializedUse: 'P4W0004',
  UnknownAnnotation: 'P4W0005',
  Deprecated: 'P4W0006',
  WarningDirective: 'P4W0007',
  UnsupportedExtern: 'P4W0008',
  HeaderNotByteAligned: 'P4W0009',
} as const;

export type CodeName = keyof typeof Code;
export type CodeValue = (typeof Code)[CodeName];
