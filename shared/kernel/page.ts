/** One page of a list, with an opaque cursor for the next page (absent on the last page). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

export const defaultPageSize = 50;
export const maxPageSize = 200;
