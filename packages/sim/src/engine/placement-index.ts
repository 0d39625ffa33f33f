import type { SimInstance } from './simulation-types.js';

const none = -1;

/**
 * The accepting instances of a pool, for placement: which is the roomiest (highest `score`, ties:
 * lowest `order`) and which has the most free cores, memory and GPUs (ties: lowest `order`). A
 * tournament tree over slots: adding, updating or removing an instance re-decides only the matches
 * on its path to the root, O(log n), and every answer is read at the root.
 */
export class PlacementIndex {
  private leaves = 0;
  private slots: (SimInstance | undefined)[] = [];
  private freeSlots: number[] = [];
  /** Per tree node: the winning leaf slot of each contest, `none` when the subtree is empty. */
  private roomiestWinner = new Int32Array(0);
  private coresWinner = new Int32Array(0);
  private memoryWinner = new Int32Array(0);
  private gpusWinner = new Int32Array(0);
  private count = 0;

  constructor() {
    this.resize(16);
  }

  get size(): number {
    return this.count;
  }

  /** Adds the instance, or re-ranks it after its free room or score changed. */
  upsert(instance: SimInstance): void {
    let slot = instance.placementSlot;
    if (slot < 0) {
      if (this.freeSlots.length === 0) this.resize(this.leaves * 2);
      slot = this.freeSlots.pop()!;
      instance.placementSlot = slot;
      this.slots[slot] = instance;
      this.count++;
    }
    this.replay(slot);
  }

  remove(instance: SimInstance): void {
    const slot = instance.placementSlot;
    if (slot < 0) return;
    instance.placementSlot = none;
    this.slots[slot] = undefined;
    this.freeSlots.push(slot);
    this.count--;
    this.replay(slot);
  }

  roomiest(): SimInstance | undefined {
    return this.at(this.roomiestWinner[1]!);
  }

  mostFreeCores(): SimInstance | undefined {
    return this.at(this.coresWinner[1]!);
  }

  mostFreeMemory(): SimInstance | undefined {
    return this.at(this.memoryWinner[1]!);
  }

  mostFreeGpus(): SimInstance | undefined {
    return this.at(this.gpusWinner[1]!);
  }

  private at(slot: number): SimInstance | undefined {
    return slot === none ? undefined : this.slots[slot];
  }

  /** Grows to `leaves` slots (a power of two) and rebuilds every match. */
  private resize(leaves: number): void {
    const previous = this.leaves;
    this.leaves = leaves;
    this.slots.length = leaves;
    for (let slot = leaves - 1; slot >= previous; slot--) this.freeSlots.push(slot);
    this.roomiestWinner = new Int32Array(2 * leaves).fill(none);
    this.coresWinner = new Int32Array(2 * leaves).fill(none);
    this.memoryWinner = new Int32Array(2 * leaves).fill(none);
    this.gpusWinner = new Int32Array(2 * leaves).fill(none);
    for (let slot = 0; slot < leaves; slot++) this.setLeaf(slot);
    for (let node = leaves - 1; node >= 1; node--) this.match(node);
  }

  private setLeaf(slot: number): void {
    const node = this.leaves + slot;
    const winner = this.slots[slot] === undefined ? none : slot;
    this.roomiestWinner[node] = winner;
    this.coresWinner[node] = winner;
    this.memoryWinner[node] = winner;
    this.gpusWinner[node] = winner;
  }

  /** Re-decides the matches from a leaf's parent up to the root. */
  private replay(slot: number): void {
    this.setLeaf(slot);
    for (let node = (this.leaves + slot) >> 1; node >= 1; node >>= 1) this.match(node);
  }

  private match(node: number): void {
    const left = 2 * node;
    const right = left + 1;
    this.roomiestWinner[node] = this.roomier(this.roomiestWinner[left]!, this.roomiestWinner[right]!);
    this.coresWinner[node] = this.freer(this.coresWinner[left]!, this.coresWinner[right]!, 'cores');
    this.memoryWinner[node] = this.freer(this.memoryWinner[left]!, this.memoryWinner[right]!, 'memoryMb');
    this.gpusWinner[node] = this.freer(this.gpusWinner[left]!, this.gpusWinner[right]!, 'gpus');
  }

  private roomier(a: number, b: number): number {
    if (a === none) return b;
    if (b === none) return a;
    const x = this.slots[a]!;
    const y = this.slots[b]!;
    return x.score > y.score || (x.score === y.score && x.order < y.order) ? a : b;
  }

  private freer(a: number, b: number, resource: 'cores' | 'memoryMb' | 'gpus'): number {
    if (a === none) return b;
    if (b === none) return a;
    const x = this.slots[a]!;
    const y = this.slots[b]!;
    const freeX = x.capacity[resource] - x.used[resource];
    const freeY = y.capacity[resource] - y.used[resource];
    return freeX > freeY || (freeX === freeY && x.order < y.order) ? a : b;
  }
}
