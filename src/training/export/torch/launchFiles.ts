/**
 * The text files of an exported PyTorch project besides train.py: its README (the torchrun
 * command, what each file is, how the experiment maps to PyTorch) and sample Slurm and
 * Kubernetes (Kubeflow PyTorchJob) launch files.
 */

export interface LaunchInfo {
  readonly name: string;
  /** Dataset names and their paths relative to the project folder. */
  readonly datasets: readonly { readonly name: string; readonly path: string }[];
  readonly models: number;
  /** Cross-validation: the folds train.py trains. */
  readonly crossValidation?: { readonly method: string; readonly folds: number; readonly repeats: number };
}

const dataArgs = (info: LaunchInfo, prefix: string) => info.datasets.map((d) => `--data ${d.name}=${prefix}${d.name}/part-*.csv`).join(' ');

export function exportReadme(info: LaunchInfo, notes: readonly string[]): string {
  const local = info.datasets.map((d) => `- \`${d.name}\`: \`${d.path}\``).join('\n');
  return `# ${info.name}: PyTorch DistributedDataParallel project

Written by \`dataset-lab export torch\`. It trains the experiment's arms (${info.models} model${info.models === 1 ? '' : 's'}) with
PyTorch's DistributedDataParallel and writes a Dataset Lab run folder, which
\`dataset-lab report RUN_DIR\` and the dashboard's *Open Run...* show like a local run.

## Run

\`\`\`sh
# one machine, 2 processes (CPU, gloo)
torchrun --nproc_per_node 2 train.py
# several machines: the same command on each, with the rendezvous of the first
torchrun --nnodes 4 --nproc_per_node 8 --rdzv_backend c10d --rdzv_endpoint HOST:29400 train.py
\`\`\`

Debian's \`python3-torch\` 1.13 under Python 3.11 needs \`--redirects 1 --tee 1\` after \`torchrun\`
(its default \`0\` for both fails with \`AttributeError: 'NoneType' object has no attribute 'get'\`:
Python 3.11 no longer lists the zero member of torch's \`Std\` flag); output is the same otherwise.

Needs Python 3 with PyTorch (1.13 or later), NumPy and pandas (pyarrow for Parquet and Arrow
files). The process-group backend is chosen at run time: \`nccl\` when CUDA is available (each
process then trains on the GPU of its local rank), else \`gloo\`; \`--backend gloo|nccl\` forces one.

Options: \`--data NAME=PATH\` reads a dataset from another file or from shards
(\`--data seattle='/mnt/bucket/seattle/part-*.csv'\`: every file the glob matches, in name order,
is one table); \`--run-dir DIR\` (default \`.dataset-lab/runs/<run id>\` under the current folder:
launch from the workspace root and *Open Run...* lists it); \`--arms\`, \`--epochs\`,
\`--save-models\` (each model's \`state_dict\` under \`models/\`; \`dataset-lab predict\` reads
TensorFlow.js models only, so it does not score with these); \`--read-all\` (every process reads
every row, see below).

The data paths recorded at export (relative to this folder):
${local}

Each of N processes reads only its share of each dataset: data rows [rows x rank / N,
rows x (rank + 1) / N), counted over the file or the shards in name order (CSV and JSON Lines in
chunks of 65,536 rows, \`DATASET_LAB_CHUNK_ROWS\`; Parquet and Arrow one file at a time). The
training rows of a batch that another process holds are sent to it each step (one
\`all_gather\`), so every process trains on exactly the batches DistributedSampler deals, as
with \`--read-all\`. Memory per process: its share of the rows, plus the split's indices of all
rows (about 16 to 24 bytes per row); each process's peak is in the run's \`environment.json\`.

Before training, the data is checked against the export: the row count of each dataset (a
missing shard shows up here) and the labels of every split (class counts, or the label sums of
a regression, added over the processes). A mismatch stops with one line naming the dataset;
nothing is trained and no run folder is written.

## Files

| file | what it holds |
| --- | --- |
| \`train.py\` | the training script (DDP, DistributedSampler, the MLP, masked per-head losses, mixing and weighting) |
| \`export.json\` | datasets, arms, models (heads, label maps, sample and head weights), network and training settings, the dataset facts of results.json (baselines, leakage, row accounting) |
| \`preprocessing/<model>.json\` | imputation values, scalers and one-hot categories Dataset Lab fitted on that model's training rows |
| \`split.json\` | the 0-based data rows of every dataset's train / validation / test split (the run's split.json; cross-validation: the refit's split of every labelled row) |
| \`folds.json\` | cross-validation: each fold's test and validation rows (the run's folds.json) |
| \`preprocessing/fold-NN/<model>.json\` | cross-validation: each model's preprocessing fitted on fold NN's training rows |
| \`data/NN-<dataset>.csv\` | only for a dataset with \`transform\` steps: its rows as Dataset Lab transformed them, which train.py reads |
| \`launch/slurm.sbatch\`, \`launch/pytorchjob.yaml\` | sample launch files for Slurm and Kubernetes (Kubeflow's PyTorchJob) |

## How the experiment maps to PyTorch

- **Network**: \`model.hidden\` Linear layers with \`model.activation\` (and \`model.dropout\`) as the
  shared trunk, then per head \`model.headHidden\` layers and a Linear output (classes, or 1 for a
  regression). Weights start from PyTorch's default \`nn.Linear\` initialisation, seeded by
  \`training.seed\` (our engine draws the same distribution from its own generator).
- **Arms**: separate = one model per dataset; merged = one model, one head over the union of
  classes; multihead = one trunk, a head per dataset. Each model's preprocessing is fitted on its
  own training rows, as \`dataset-lab run\` does.
- **Losses**: per head, a masked, weighted mean (softmax cross-entropy or squared error on the
  standardised target) over the rows of the *global* batch: the ranks' weight sums are added
  with \`all_reduce\`, so 1 and N processes compute the same objective. \`multihead.weighting\`:
  static (\`multihead.weights\`), uncertainty (learned log-variances) or dwa; L2 (\`model.l2\`) on
  the weights, not the biases.
- **Batches**: \`training.batchSize\` is the global batch (each of N processes takes batchSize/N
  rows). Rows are ordered by a DistributedSampler (seed \`training.seed\`, reshuffled each epoch);
  \`merged.balancing\` oversample/undersample and \`multihead.mixing\` equal/temperature change
  the epoch's order (the same on every rank); \`inverse_size\` weights the rows.
- **Optimiser and stopping**: \`training.optimizer\` (Adam with TensorFlow.js's epsilon 1e-7, SGD,
  RMSprop), \`training.learningRate\`, \`training.epochs\`, early stopping on the validation loss
  with \`training.earlyStopping\` (patience, restoreBestWeights).
- **Results**: test metrics per dataset and pooled (accuracy, macro-F1, per class, confusion;
  R2, MAE, RMSE), gains over separate and delta_m, and \`predictions.json\`: every arm's test
  predictions with their data rows. \`dataset-lab report\` and the dashboard compute from it the
  intervals (BCa bootstrap) and paired tests (McNemar, paired bootstrap, Holm) exactly as for a
  run of \`dataset-lab run\`.
${info.crossValidation ? `
## Cross-validation

The experiment is evaluated by ${info.crossValidation.method === 'repeated-cv' ? `${info.crossValidation.repeats} repeats of ` : ''}${info.crossValidation.folds}-fold cross-validation, on the folds
\`dataset-lab run\` uses (\`folds.json\`). train.py trains every fold of every arm in this one
job (${info.crossValidation.folds * info.crossValidation.repeats} folds x ${info.models} models), each fold's models on its training rows with the
preprocessing fitted on them (\`preprocessing/fold-NN/\`), and writes each fold's test
predictions; \`dataset-lab report\` and the dashboard compute from them the fold means, the
corrected resampled t intervals and paired tests, as for a local cross-validation run. With
\`--save-models\` it also trains the refit on every labelled row and saves those models.
` : ''}${notes.length ? `\n## Notes from the export\n\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}`;
}

export function slurmScript(info: LaunchInfo): string {
  return `#!/bin/bash
# Sample Slurm job for the exported experiment "${info.name}": 2 nodes x 4 processes.
# Adjust the partition, the resources and the data paths (a shared file system or a mounted bucket).
#SBATCH --job-name=${info.name.replace(/[^A-Za-z0-9_.-]/g, '_')}-ddp
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=1
#SBATCH --cpus-per-task=8
#SBATCH --time=02:00:00
##SBATCH --gpus-per-node=4   # with GPUs (nccl is then chosen automatically)

set -euo pipefail
head_node=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
srun torchrun \\
  --nnodes "$SLURM_NNODES" --nproc_per_node 4 \\
  --rdzv_id "$SLURM_JOB_ID" --rdzv_backend c10d --rdzv_endpoint "$head_node:29400" \\
  train.py ${dataArgs(info, '/shared/data/')} \\
  --run-dir "$PWD/.dataset-lab/runs/slurm-$SLURM_JOB_ID"
`;
}

export function kubernetesJob(info: LaunchInfo): string {
  const name = info.name.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'experiment';
  const container = (replicas: number, kind: string) => `    ${kind}:
      replicas: ${replicas}
      restartPolicy: OnFailure
      template:
        spec:
          containers:
            - name: pytorch
              # An image with Python 3, PyTorch, NumPy and pandas, and this folder at /workspace/export.
              image: pytorch/pytorch:1.13.1-cuda11.6-cudnn8-runtime
              workingDir: /workspace
              # One process per pod: the operator's RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT
              # are what torch.distributed's env:// rendezvous reads, so no torchrun is needed.
              command: ["python3", "export/train.py"]
              args:
${info.datasets.map((d) => `                - "--data=${d.name}=/data/${d.name}/part-*.csv"`).join('\n')}
                - "--run-dir=/workspace/.dataset-lab/runs/$(JOB_NAME)"
              env:
                - name: JOB_NAME
                  value: ${name}-ddp
              volumeMounts:
                - { name: workspace, mountPath: /workspace }
                - { name: data, mountPath: /data, readOnly: true }
          volumes:
            - name: workspace
              persistentVolumeClaim: { claimName: ${name}-workspace }
            - name: data
              persistentVolumeClaim: { claimName: ${name}-data }`;
  return `# Sample Kubeflow PyTorchJob for the exported experiment "${info.name}": 1 master + 3 workers.
# The training operator sets MASTER_ADDR, MASTER_PORT, WORLD_SIZE and RANK in every pod.
# Adjust the image, the volumes (the data: a claim or a mounted bucket) and the replicas.
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata:
  name: ${name}-ddp
spec:
  pytorchReplicaSpecs:
${container(1, 'Master')}
${container(3, 'Worker')}
`;
}
