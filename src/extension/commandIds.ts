/**
 * Every command id of the extension, in one place: registration (src/extension/commands/),
 * CodeLenses, the status bar and the dashboard use these, and a unit test checks them against
 * package.json's `contributes.commands`, menus and walkthrough links. Every id here is
 * contributed; the three the language server calls (ServerCommands) are hidden from the palette.
 * No vscode import: the unit test reads this file.
 */
import { ServerCommands } from '../protocol/serverCommands';

export const CommandIds = {
  compareDatasets: 'datasetLab.compareDatasets',
  profileDataset: 'datasetLab.profileDataset',
  newMergeExperiment: 'datasetLab.newMergeExperiment',
  newMultiHeadExperiment: 'datasetLab.newMultiHeadExperiment',
  runExperiment: 'datasetLab.runExperiment',
  stopTraining: 'datasetLab.stopTraining',
  openDashboard: 'datasetLab.openDashboard',
  openRun: 'datasetLab.openRun',
  openExample: 'datasetLab.openExample',
  /** The compare view's "Use this mapping" (hidden from the palette). */
  useMapping: 'datasetLab.useMapping',
  ...ServerCommands,
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];

