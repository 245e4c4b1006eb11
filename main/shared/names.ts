// Naming rule for instances, datasets and tasks (seed 004 §4.1): 1–30 characters, starting with a
// letter, digit or Chinese character; then also '_' or '-'.
const NAME_RE = /^[A-Za-z0-9\p{Script=Han}][A-Za-z0-9_\-\p{Script=Han}]*$/u;

/** Returns why `name` breaks the rule, or null when it is valid. */
export function nameProblem(name: string): string | null {
  const length = [...name].length;
  if (length < 1 || length > 30) return `must be 1–30 characters long (got ${length})`;
  if (!NAME_RE.test(name)) {
    return 'must start with a letter, digit or Chinese character and contain only those, "_" or "-"';
  }
  return null;
}
