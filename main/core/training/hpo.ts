// Hyperparameter search inside the time budget (AutoLearning's "超参优化"): a handful of short
// trials drawn from a small grid, the algorithm's default first so the search can only help.

export type Params = Record<string, number | string>;
export type ParamSpace = Record<string, ReadonlyArray<number | string>>;

/** Up to `count` distinct configurations: `defaults` first, then seeded random picks from the grid. */
export function sampleTrials(space: ParamSpace, defaults: Params, count: number, random: () => number): Params[] {
  const keys = Object.keys(space).sort();
  const key = (p: Params) => keys.map((k) => `${k}=${p[k]}`).join(',');
  const grid = keys.reduce<Params[]>((acc, k) => acc.flatMap((p) => space[k]!.map((v) => ({ ...p, [k]: v }))), [{}]);
  const out: Params[] = [{ ...defaults }];
  const seen = new Set([key(defaults)]);
  const rest = grid.filter((p) => !seen.has(key(p)));
  while (out.length < count && rest.length > 0) {
    const [pick] = rest.splice(Math.floor(random() * rest.length), 1);
    out.push(pick!);
  }
  return out;
}

/** "lr 0.001, hidden 128": a trial's settings in run logs and progress lines. */
export function describeParams(p: Params): string {
  return Object.entries(p)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}
