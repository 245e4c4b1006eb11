/** Reproducible pseudo-random numbers in [0, 1) (mulberry32): the same seed gives the same split everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle in place with the given generator. */
export function shuffle<T>(list: T[], random: () => number): void {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
}

/**
 * Splits items into train and val, stratified by `stratum` (the class): each class keeps about
 * `trainFraction` in train and gives at least one item to val when it has two or more.
 * The result depends only on the keys, strata, fraction and seed, not on the input order.
 */
export function splitTrainVal<T extends { key: string; stratum: string }>(items: T[], trainFraction: number, seed: number): Map<string, 'train' | 'val'> {
  const random = seededRandom(seed);
  const byStratum = new Map<string, T[]>();
  for (const item of [...items].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    const list = byStratum.get(item.stratum) ?? [];
    list.push(item);
    byStratum.set(item.stratum, list);
  }
  const out = new Map<string, 'train' | 'val'>();
  for (const stratum of [...byStratum.keys()].sort()) {
    const list = byStratum.get(stratum)!;
    shuffle(list, random);
    const val = list.length < 2 ? 0 : Math.max(1, Math.round(list.length * (1 - trainFraction)));
    list.forEach((item, i) => out.set(item.key, i < val ? 'val' : 'train'));
  }
  return out;
}
