// Digests (v1model `digest(receiver, data)`): the data plane queues a message, the control plane
// (or the STF runner) takes them. The queue is bounded so a flood cannot exhaust memory; messages
// that do not fit are dropped and counted. Digests are rare, so a message is a small object.

export interface DigestMessage {
  readonly receiver: number;
  /** Which digest call (the type or field-list name the program gave it); '' when not known. */
  readonly name: string;
  /** The data's fields, in declaration order. */
  readonly values: readonly bigint[];
}

export class DigestQueue {
  readonly capacity: number;
  /** Messages dropped because the queue was full. */
  dropped = 0;
  private items: DigestMessage[] = [];

  constructor(capacity = 4096) {
    this.capacity = capacity;
  }

  get length(): number {
    return this.items.length;
  }

  /** Queues one digest; returns false (and counts a drop) when the queue is full. */
  push(receiver: number, values: readonly bigint[], name = ''): boolean {
    if (this.items.length >= this.capacity) {
      this.dropped++;
      return false;
    }
    this.items.push({ receiver, name, values });
    return true;
  }

  /** Removes and returns every queued digest, oldest first. */
  take(): DigestMessage[] {
    const out = this.items;
    this.items = [];
    return out;
  }

  /** The queued digests, without removing them. */
  peek(): readonly DigestMessage[] {
    return this.items;
  }

  clear(): void {
    this.items = [];
    this.dropped = 0;
  }
}
