/**
 * The sample in ascending order: the input itself when it is already ascending (one O(n) check;
 * callers that sort once, like compare.ts, pay nothing more), otherwise a sorted copy. NaN fails
 * the ascending check, so it ends up last in the copy where callers can detect it.
 */
export function ascending(v: Float64Array): Float64Array {
  for (let i = 1; i < v.length; i++) {
    if (!(v[i] >= v[i - 1])) return Float64Array.from(v).sort();
  }
  return v;
}
