/**
 * A regression tree on binned features, as the boosting learner grows it and a saved model
 * stores it (plain JSON): internal nodes split on a bin threshold (numeric) or a set of bins
 * (categorical), missing values follow `missingLeft`; leaves hold a value added to the raw score.
 */
import { MISSING_BIN } from './binning';

export interface TreeNode {
  /** Leaf value (already multiplied by the learning rate); also set on internal nodes. */
  readonly value: number;
  /** Split feature, or -1 for a leaf. */
  readonly feature: number;
  /** Numeric split: rows with bin <= threshold go left. */
  readonly threshold: number;
  /** Categorical split: the bins going left (missing values included when bin 255 is listed). */
  readonly leftBins?: readonly number[];
  readonly missingLeft: boolean;
  readonly left: number;
  readonly right: number;
}

export interface Tree {
  readonly nodes: readonly TreeNode[];
}

/** Bits of the categorical splits' left sets, per node (32 bytes = 256 bins), built once for prediction. */
function leftSets(tree: Tree): (Uint8Array | undefined)[] {
  return tree.nodes.map((n) => {
    if (!n.leftBins) return undefined;
    const bits = new Uint8Array(32);
    for (const b of n.leftBins) bits[b >> 3] |= 1 << (b & 7);
    return bits;
  });
}

/** Adds `tree`'s leaf value to `out[i]` for every row i of the binned columns. */
export function addTreePredictions(tree: Tree, columns: readonly Uint8Array[], out: Float64Array): void {
  const nodes = tree.nodes;
  const sets = leftSets(tree);
  const n = out.length;
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (;;) {
      const node = nodes[k];
      if (node.feature < 0) break;
      const bin = columns[node.feature][i];
      const set = sets[k];
      const goLeft = set ? (set[bin >> 3] & (1 << (bin & 7))) !== 0 : bin === MISSING_BIN ? node.missingLeft : bin <= node.threshold;
      k = goLeft ? node.left : node.right;
    }
    out[i] += nodes[k].value;
  }
}
