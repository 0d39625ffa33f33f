/** A deterministic source of uniform numbers in [0, 1). */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
}

/**
 * Seeded PRNG (sfc32 seeded through splitmix32): fast, 128-bit state, deterministic across
 * platforms. The same seed always yields the same sequence.
 */
export function createRandom(seed: number): Random {
  let splitState = seed >>> 0;
  const splitMix = (): number => {
    splitState = (splitState + 0x9e3779b9) >>> 0;
    let z = splitState;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitMix();
  let b = splitMix();
  let c = splitMix();
  let counter = splitMix();
  const next = (): number => {
    const t = (((a + b) | 0) + counter) | 0;
    counter = (counter + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let index = 0; index < 12; index++) next();
  return { next };
}

/** Uniform in [minimum, maximum). */
export function uniform(random: Random, minimum: number, maximum: number): number {
  return minimum + (maximum - minimum) * random.next();
}

/** Standard normal draw (Box–Muller; consumes two uniforms). */
export function standardNormal(random: Random): number {
  let u = random.next();
  while (u <= Number.MIN_VALUE) u = random.next();
  const v = random.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** True with the given probability. */
export function bernoulli(random: Random, probability: number): boolean {
  return random.next() < probability;
}
