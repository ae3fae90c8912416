/**
 * Custom messages between the Dataset Lab language server (src/server, its own Node process,
 * dist/server.js) and the extension's language client (src/extension/languageClient.ts, in the
 * extension host), over IPC: one namespace per message with its method literal, its direction
 * and a typed RequestType / NotificationType, as vscode-eslint does. The standard LSP messages
 * need no entry here.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { ColumnProfile as CoreColumnProfile } from '../core/profile';

/** The configuration section the server reads (workspace/configuration, or initializationOptions of the same shape). */
export const CONFIGURATION_SECTION = 'datasetLab';

/**
 * One column of the server's profile of an open document: core's profile (src/core/profile.ts),
 * computed as the CLI's `profile` computes it from the same text. Over JSON, NaN arrives as null
 * (as in the CLI's `profile --json`).
 */
export type ColumnProfile = CoreColumnProfile;

/** client -> server: the server's profile of an open CSV document (from its live text). */
export namespace ColumnProfilesRequest {
  export const method = 'datasetLab/columnProfiles' as const;
  export interface Params {
    readonly uri: string;
  }
  export interface Result {
    readonly uri: string;
    readonly version: number;
    readonly rows: number;
    readonly delimiter: string;
    readonly columns: readonly ColumnProfile[];
  }
  export const type = new RequestType<Params, Result | null, void>(method);
}

/** client -> server: which experiment files pair a CSV file with other datasets. */
export namespace PairingsRequest {
  export const method = 'datasetLab/pairings' as const;
  export interface Params {
    readonly uri: string;
  }
  export interface Dataset {
    readonly name: string;
    readonly uri: string;
    readonly label?: string;
  }
  export interface Result {
    readonly experiments: readonly { readonly uri: string; readonly datasets: readonly Dataset[] }[];
  }
  export const type = new RequestType<Params, Result, void>(method);
}

/** server -> client: a document was checked (for a status item, and for benchmarks). */
export namespace CheckedNotification {
  export const method = 'datasetLab/checked' as const;
  export interface Params {
    readonly uri: string;
    readonly version: number;
    /** Wall time from the change (or open) the check answers to the published diagnostics. */
    readonly durationMs: number;
    readonly diagnostics: number;
    readonly rows: number;
    /** True when only the edited records were re-scanned. */
    readonly incremental: boolean;
  }
  export const type = new NotificationType<Params>(method);
}

/**
 * client -> server: the CSV/TSV files open in editors that VS Code does not hand to extensions
 * (models over 50 MB are never synchronised, so no didOpen comes for them). The whole set each
 * time; the server checks them from disk, publishes their diagnostics, re-reads them when they
 * change on disk, and clears them when they leave the set.
 */
export namespace DiskFilesNotification {
  export const method = 'datasetLab/diskFiles' as const;
  export interface Params {
    readonly uris: readonly string[];
  }
  export const type = new NotificationType<Params>(method);
}
