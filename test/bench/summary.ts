/** Median and range of repeated runs: timings on shared machines vary by ±40 % from run to run. */
export function summary(seconds: number[]): string {
  const sorted = [...seconds].sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(3)} s (${sorted[0]!.toFixed(3)}–${sorted.at(-1)!.toFixed(3)} s over ${sorted.length} runs)`;
}
