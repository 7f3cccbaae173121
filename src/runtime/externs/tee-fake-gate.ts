// A fake TeeGate for tests: the reference modules run inline (no isolation), every crossing is
// recorded (how many records it carried), and the enclave can be switched "down" so that every
// call fails (to test that the pipeline fails closed). Its transition label is whatever the test says.
import { InlineTeeGate } from './tee-call.js';
import type { TeeModuleResolver, TeeTransition } from './tee-call.js';
import { referenceTeeModules } from './tee-reference-modules.js';

export class FakeTeeGate extends InlineTeeGate {
  /** Records per crossing, in order. */
  readonly crossingSizes: number[] = [];
  /** While true every call fails (returns 1) without running the module. */
  down = false;

  constructor(transition: TeeTransition = 'sync', resolver: TeeModuleResolver = referenceTeeModules) {
    super(resolver, transition);
  }

  override call(fn: number, inOff: number, outOff: number, n: number): number {
    if (this.down) return 1;
    this.crossingSizes.push(n);
    return super.call(fn, inOff, outOff, n);
  }
}
