/**
 * Reads the tables an experiment names, in its dataset order, for the training child: each file
 * through the one reader dispatch (src/core/readers, any supported format), confined to the
 * workspace root, and only the columns the experiment needs when it lists them (Parquet, Arrow
 * and JSON Lines then skip the others), then each dataset's `transform` steps. A file that
 * cannot be read becomes an ExperimentError at the dataset's `path`, a step that cannot apply
 * one at the step's JSON path.
 */
import { realPath, confinementProblem } from '../core/paths';
import { readTable } from '../core/readers/readTable';
import { FatalInputError, type DataTable } from '../core/table';
import { TransformError, applyTransforms } from '../core/transform/applyTransforms';
import { parseTransformSteps } from '../core/transform/transformSteps';
import { ExperimentError, type ResolvedExperiment } from './experiment';

/** The columns dataset `i` needs, or undefined when its features are "every other column". */
export function neededColumns(exp: ResolvedExperiment, i: number): string[] | undefined {
  const d = exp.datasets[i];
  // A transform may read, rename or derive from any column: read them all.
  if (d.transform) return undefined;
  const features = d.features ?? exp.features;
  if (!features) return undefined;
  return [...new Set([...features, d.label])];
}

/** Dataset `i`'s table after its `transform` steps; a step that cannot apply is an ExperimentError at its JSON path. */
export function transformDataset(exp: Pick<ResolvedExperiment, 'file' | 'datasets'>, i: number, table: DataTable): DataTable {
  const d = exp.datasets[i];
  const { steps, issues } = parseTransformSteps(d.transform, `$.datasets[${i}].transform`);
  if (issues.length) throw new ExperimentError(issues.map((x) => ({ file: exp.file, path: x.path, dataset: d.name, message: x.message })));
  try {
    return applyTransforms(table, steps);
  } catch (e) {
    if (e instanceof TransformError) throw new ExperimentError([{ file: exp.file, path: e.path, dataset: d.name, message: `${d.path}: ${e.reason}` }]);
    throw e;
  }
}

export async function readDatasets(exp: ResolvedExperiment): Promise<DataTable[]> {
  const tables: DataTable[] = [];
  for (const [i, d] of exp.datasets.entries()) {
    // Checked again where the file is read: a link may have changed since the experiment was validated.
    const outside = confinementProblem(exp.root, d.absPath, d.path);
    if (outside) throw new ExperimentError([{ file: exp.file, path: `$.datasets[${i}].path`, dataset: d.name, message: `${outside}; dataset paths must stay inside it` }]);
    const columns = neededColumns(exp, i);
    let table: DataTable;
    try {
      table = await readTable(realPath(d.absPath), { name: d.name, ...(columns ? { columns } : {}) });
    } catch (e) {
      if (e instanceof FatalInputError) {
        throw new ExperimentError([{ file: exp.file, path: `$.datasets[${i}].path`, dataset: d.name, message: e.message }]);
      }
      throw e;
    }
    tables.push(d.transform ? transformDataset(exp, i, table) : table);
  }
  return tables;
}
