/**
 * Commands the language server (src/server) attaches to CodeLenses and quick fixes; the
 * extension (src/extension/commands) implements them. A file of its own, without the LSP
 * message types, so the extension's startup bundle reads the ids without loading the protocol
 * library.
 */
export const ServerCommands = {
  /** args: [csvUri: string, partnerUris: string[]] - pick a partner (or any CSV) and open the comparison. */
  compareWith: 'datasetLab.compareWith',
  /** args: [csvUri: string] - open the profile of a CSV file. */
  profile: 'datasetLab.profile',
  /** args: [token: string] - append the value to the `datasetLab.missingTokens` setting. */
  addMissingToken: 'datasetLab.addMissingToken',
} as const;
