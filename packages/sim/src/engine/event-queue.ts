/** A min-heap of timed items; equal times come out in insertion order. */
export class EventQueue<T> {
  private readonly times: number[] = [];
  private readonly sequences: number[] = [];
  private readonly items: T[] = [];
  private sequence = 0;

  get size(): number {
    return this.items.length;
  }

  /** Time of the earliest item, or +∞ when empty. */
  peekTime(): number {
    return this.items.length > 0 ? this.times[0]! : Number.POSITIVE_INFINITY;
  }

  push(atMs: number, item: T): void {
    this.times.push(atMs);
    this.sequences.push(this.sequence++);
    this.items.push(item);
    let index = this.items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.less(index, parent)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    if (this.items.length === 0) return undefined;
    const top = this.items[0];
    const last = this.items.length - 1;
    this.swap(0, last);
    this.times.pop();
    this.sequences.pop();
    this.items.pop();
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < this.items.length && this.less(left, smallest)) smallest = left;
      if (right < this.items.length && this.less(right, smallest)) smallest = right;
      if (smallest === index) break;
      this.swap(index, smallest);
      index = smallest;
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    return (
      this.times[a]! < this.times[b]! || (this.times[a] === this.times[b] && this.sequences[a]! < this.sequences[b]!)
    );
  }

  private swap(a: number, b: number): void {
    const time = this.times[a]!;
    this.times[a] = this.times[b]!;
    this.times[b] = time;
    const sequence = this.sequences[a]!;
    this.sequences[a] = this.sequences[b]!;
    this.sequences[b] = sequence;
    const item = this.items[a]!;
    this.items[a] = this.items[b]!;
    this.items[b] = item;
  }
}
