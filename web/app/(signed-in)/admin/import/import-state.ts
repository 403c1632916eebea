/** What an import answers to its form: per-row results, never a password. */
export interface ImportRowResult {
  /** The row in the file as a spreadsheet numbers it (the header is row 1). */
  readonly row: number;
  /** `username@system` as written in the file. */
  readonly account: string;
  readonly status: 'created' | 'partial' | 'failed';
  /** The CSV column the problem is in, when known. */
  readonly column?: string;
  readonly message?: string;
  readonly accountId?: string;
}

export interface ImportState {
  readonly ok?: boolean;
  readonly message?: string;
  readonly results?: readonly ImportRowResult[];
  readonly systemsCreated?: readonly { readonly id: string; readonly name: string }[];
}
