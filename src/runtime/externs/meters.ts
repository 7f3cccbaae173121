// Meters (v1model `meter`, `direct_meter`): two-rate three-colour markers (RFC 2698) that behave
// as BMv2's. Each meter has a committed and a peak token bucket (rate in units per microsecond,
// burst in units; units are packets or bytes), set by meter_set_rates. Time comes in explicitly,
// in nanoseconds, so runs are reproducible. Output: 0 GREEN, 1 YELLOW, 2 RED.
//
// BMv2's rule, followed exactly: tokens are whole units; a bucket's tokens earned since the time
// origin are floor(whole microseconds since origin * rate), and a bucket holds at most its burst.
// Execution looks at the peak bucket first: too few tokens there gives RED and touches nothing
// else; otherwise the peak bucket pays and the committed bucket is tried: too few gives YELLOW,
// else it pays too and the colour is GREEN. Setting rates fills both buckets. A meter whose rates
// were never set answers GREEN.

import type { CommandResult } from '../abi.js';

export const MeterColor = { Green: 0, Yellow: 1, Red: 2 } as const;

export type MeterKind = 'packets' | 'bytes';

export interface MeterRate {
  /** Units (packets or bytes) per microsecond. */
  readonly rate: number;
  /** Bucket size in units. */
  readonly burst: number;
}

export class MeterArray {
  readonly size: number;
  readonly type: MeterKind;
  /** Time origin in nanoseconds: token accounting counts microseconds from here. */
  originNs: number;
  /** 1 when the meter's rates are set. */
  readonly configured: Uint8Array;
  /** Committed / peak rates (units per microsecond) and bursts (units). */
  readonly cir: Float64Array;
  readonly pir: Float64Array;
  readonly cbs: Float64Array;
  readonly pbs: Float64Array;
  /** Tokens now in each bucket. */
  readonly tc: Float64Array;
  readonly tp: Float64Array;
  /** Tokens earned since the origin, as of the last execution (BMv2's tokens_last). */
  readonly lastC: Float64Array;
  readonly lastP: Float64Array;

  constructor(size: number, type: MeterKind, originNs = 0) {
    this.size = size;
    this.type = type;
    this.originNs = originNs;
    this.configured = new Uint8Array(size);
    this.cir = new Float64Array(size);
    this.pir = new Float64Array(size);
    this.cbs = new Float64Array(size);
    this.pbs = new Float64Array(size);
    this.tc = new Float64Array(size);
    this.tp = new Float64Array(size);
    this.lastC = new Float64Array(size);
    this.lastP = new Float64Array(size);
  }

  /**
   * Data plane: meters `amount` units (1 for a packets meter; the packet's length at ingress for
   * a bytes meter) at `index`, at time `nowNs`. Returns the colour; GREEN when unconfigured or
   * when the index is out of range (see executeInto for BMv2's leave-the-destination rule).
   */
  execute(index: number, amount: number, nowNs: number): number {
    if (!(index >= 0 && index < this.size) || this.configured[index] === 0) return 0;
    let micros = Math.floor((nowNs - this.originNs) / 1000);
    if (micros < 0) micros = 0;

    // Peak bucket first.
    let earned = Math.floor(micros * this.pir[index]);
    let fresh = earned - this.lastP[index];
    if (fresh > 0) this.lastP[index] = earned; else fresh = 0;
    let tokens = this.tp[index] + fresh;
    if (tokens > this.pbs[index]) tokens = this.pbs[index];
    if (tokens < amount) {
      this.tp[index] = tokens;
      return 2;
    }
    this.tp[index] = tokens - amount;

    earned = Math.floor(micros * this.cir[index]);
    fresh = earned - this.lastC[index];
    if (fresh > 0) this.lastC[index] = earned; else fresh = 0;
    tokens = this.tc[index] + fresh;
    if (tokens > this.cbs[index]) tokens = this.cbs[index];
    if (tokens < amount) {
      this.tc[index] = tokens;
      return 1;
    }
    this.tc[index] = tokens - amount;
    return 0;
  }

  /** As execute, but returns `current` when the index is out of range (BMv2 leaves the destination unchanged). */
  executeInto(index: number, amount: number, nowNs: number, current: number): number {
    if (!(index >= 0 && index < this.size)) return current;
    return this.execute(index, amount, nowNs);
  }

  /**
   * meter_set_rates (index given) or meter_array_set_rates (index null): rates are
   * [committed, peak]. Refused, changing nothing, unless there are exactly two, each rate is a
   * finite number >= 0, each burst a whole number >= 0, and committed rate <= peak rate.
   */
  setRates(index: number | null, rates: readonly MeterRate[]): CommandResult {
    if (index !== null && !this.inRange(index)) return { ok: false, error: this.rangeError(index) };
    if (rates.length !== 2) {
      return { ok: false, error: `a two-rate meter needs 2 rate:burst pairs (committed, peak), got ${rates.length}` };
    }
    for (const r of rates) {
      if (!Number.isFinite(r.rate) || r.rate < 0) return { ok: false, error: `invalid rate ${r.rate}` };
      if (!Number.isInteger(r.burst) || r.burst < 0) return { ok: false, error: `invalid burst size ${r.burst}` };
    }
    if (rates[0].rate > rates[1].rate) {
      return { ok: false, error: `committed rate ${rates[0].rate} is above peak rate ${rates[1].rate}` };
    }
    const lo = index === null ? 0 : index;
    const hi = index === null ? this.size : index + 1;
    for (let i = lo; i < hi; i++) {
      this.configured[i] = 1;
      this.cir[i] = rates[0].rate;
      this.cbs[i] = rates[0].burst;
      this.pir[i] = rates[1].rate;
      this.pbs[i] = rates[1].burst;
      this.tc[i] = rates[0].burst;
      this.tp[i] = rates[1].burst;
      this.lastC[i] = 0;
      this.lastP[i] = 0;
    }
    return { ok: true, message: '' };
  }

  /** meter_get_rates: [committed, peak], [] when unconfigured, null when the index is out of range. */
  getRates(index: number): MeterRate[] | null {
    if (!this.inRange(index)) return null;
    if (this.configured[index] === 0) return [];
    return [
      { rate: this.cir[index], burst: this.cbs[index] },
      { rate: this.pir[index], burst: this.pbs[index] },
    ];
  }

  /** Unconfigures one meter (index) or all (null): they answer GREEN again. */
  resetRates(index: number | null): CommandResult {
    if (index !== null && !this.inRange(index)) return { ok: false, error: this.rangeError(index) };
    if (index === null) this.configured.fill(0);
    else this.configured[index] = 0;
    return { ok: true, message: '' };
  }

  /** Sets the time origin (nanoseconds) from which tokens are counted. */
  resetTimeOrigin(nowNs: number): void {
    this.originNs = nowNs;
    this.lastC.fill(0);
    this.lastP.fill(0);
  }

  inRange(i: number): boolean {
    return Number.isInteger(i) && i >= 0 && i < this.size;
  }

  private rangeError(i: number): string {
    return `index ${i} out of range: the meter array has ${this.size} meters`;
  }
}
