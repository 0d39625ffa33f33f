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
    const { times, sequences, items } = this;
    const sequence = this.sequence++;
    // Sift a hole up from the end, then fill it: one write per level instead of a swap.
    let index = items.length;
    times.push(atMs);
    sequences.push(sequence);
    items.push(item);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const parentTime = times[parent]!;
      if (parentTime < atMs || (parentTime === atMs && sequences[parent]! < sequence)) break;
      times[index] = parentTime;
      sequences[index] = sequences[parent]!;
      items[index] = items[parent]!;
      index = parent;
    }
    times[index] = atMs;
    sequences[index] = sequence;
    items[index] = item;
  }

  /** Removes and returns the earliest item. */
  pop(): T | undefined {
    const { times, sequences, items } = this;
    if (items.length === 0) return undefined;
    const top = items[0];
    const lastTime = times.pop()!;
    const lastSequence = sequences.pop()!;
    const lastItem = items.pop()!;
    const size = items.length;
    if (size === 0) return top;
    // Sift a hole down from the root and put the former last item where it belongs.
    let index = 0;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= size) break;
      const right = child + 1;
      if (
        right < size &&
        (times[right]! < times[child]! || (times[right] === times[child] && sequences[right]! < sequences[child]!))
      )
        child = right;
      const childTime = times[child]!;
      if (lastTime < childTime || (lastTime === childTime && lastSequence < sequences[child]!)) break;
      times[index] = childTime;
      sequences[index] = sequences[child]!;
      items[index] = items[child]!;
      index = child;
    }
    times[index] = lastTime;
    sequences[index] = lastSequence;
    items[index] = lastItem;
    return top;
  }
}
