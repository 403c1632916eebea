/**
 * Joins the API's export slices into one stream of bytes. Each slice is passed on chunk by chunk
 * as it arrives; the next slice is only requested once the previous one has been read, so the
 * reader's pace (the browser's download) sets the pace of the API calls.
 */
export interface SliceOptions {
  /** CSV: every slice starts with the header row; keep only the first slice's. */
  readonly skipRepeatedHeader: boolean;
  /** Stop following cursors once this many rows have been passed on. */
  readonly rowCap: number;
  /** Rows asked for per slice (the API's maximum). */
  readonly sliceSize: number;
  /** A backstop against a cursor that never ends. */
  readonly maxSlices: number;
}

export async function* exportChunks(
  first: Response,
  nextSlice: (cursor: string, limit: number) => Promise<Response>,
  options: SliceOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  let response = first;
  let rows = 0;
  for (let slice = 1; ; slice++) {
    yield* bodyChunks(response, options.skipRepeatedHeader && slice > 1);
    rows += Number(response.headers.get('strongroom-export-count') ?? '0');
    const cursor = response.headers.get('strongroom-next-cursor');
    if (!cursor || rows >= options.rowCap || slice >= options.maxSlices) return;
    response = await nextSlice(cursor, Math.min(options.sliceSize, options.rowCap - rows));
    if (!response.ok || !response.body) {
      await response.text().catch(() => '');
      throw new Error(`the API refused export slice ${slice + 1} with status ${response.status}`);
    }
  }
}

const newline = 0x0a;

async function* bodyChunks(
  response: Response,
  skipFirstLine: boolean,
): AsyncGenerator<Uint8Array, void, undefined> {
  if (!response.body) return;
  const reader = response.body.getReader();
  let skipping = skipFirstLine;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      let chunk = value;
      if (skipping) {
        const end = chunk.indexOf(newline);
        if (end === -1) continue;
        skipping = false;
        chunk = chunk.subarray(end + 1);
        if (chunk.length === 0) continue;
      }
      yield chunk;
    }
  } finally {
    // The download was abandoned mid-slice: stop reading the API's answer too. Not awaited: when
    // the runtime has teed the response, the cancellation only settles once every branch has.
    if (!finished) reader.cancel().catch(() => undefined);
  }
}
