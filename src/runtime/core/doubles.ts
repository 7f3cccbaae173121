// widenFields(): makes number fields doubles from the start. V8 stores a number field as a small
// integer (Smi) until it first holds anything else (a fraction, or an integer past 2^31, such as a
// byte count after 1.4 million 1500-byte packets or a timestamp in ns); it then changes the field's
// representation for every object of that shape and throws away the optimized code that used it.
// In a hot loop that means milliseconds of slow code in the middle of a run: a generator that falls
// behind and then bursts, a switch that stalls and overflows its input ring. Counters and times of
// the per-packet paths are therefore widened once, in their constructors.

/** Stores a fraction and then the current value into each named field, so each is a double field. */
export function widenFields(o: object, ...names: string[]): void {
  const r = o as Record<string, number>;
  for (const n of names) {
    const v = r[n];
    r[n] = 0.5;
    r[n] = v;
  }
}
