/** Positions of an item in the heaps that hold it, by heap slot name. */
export type HeapItem<Slot extends string> = Record<Slot, number>;

/**
 * A binary heap that can update or remove any item it holds in O(log n). `before(a, b)` is true
 * when `a` must come out before `b`; it must be a strict total order for deterministic results.
 */
export class IndexedHeap<Slot extends string, T extends HeapItem<Slot>> {
  private readonly items: T[] = [];

  /** `slot` names the numeric field of the items that holds their index in this heap (-1 when absent). */
  constructor(
    private readonly before: (a: T, b: T) => boolean,
    private readonly slot: Slot,
  ) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  has(item: T): boolean {
    return item[this.slot] >= 0 && this.items[item[this.slot]] === item;
  }

  push(item: T): void {
    (item as Record<Slot, number>)[this.slot] = this.items.length;
    this.items.push(item);
    this.up(item[this.slot]);
  }

  remove(item: T): void {
    if (!this.has(item)) return;
    const index = item[this.slot];
    const last = this.items.pop()!;
    (item as Record<Slot, number>)[this.slot] = -1;
    if (last === item) return;
    this.items[index] = last;
    (last as Record<Slot, number>)[this.slot] = index;
    this.update(last);
  }

  /** Restores the order after `item`'s key changed. */
  update(item: T): void {
    if (!this.has(item)) return;
    this.up(item[this.slot]);
    this.down(item[this.slot]);
  }

  private up(start: number): void {
    let index = start;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(this.items[index]!, this.items[parent]!)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  private down(start: number): void {
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let first = index;
      if (left < this.items.length && this.before(this.items[left]!, this.items[first]!)) first = left;
      if (right < this.items.length && this.before(this.items[right]!, this.items[first]!)) first = right;
      if (first === index) return;
      this.swap(index, first);
      index = first;
    }
  }

  private swap(a: number, b: number): void {
    const itemA = this.items[a]!;
    const itemB = this.items[b]!;
    this.items[a] = itemB;
    this.items[b] = itemA;
    (itemA as Record<Slot, number>)[this.slot] = b;
    (itemB as Record<Slot, number>)[this.slot] = a;
  }
}
