import { exampleCsv } from '../import-format';

/** The example import file, as a download. It holds no data of the organisation. */
export function GET() {
  return new Response(exampleCsv, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="strongroom-import-example.csv"',
    },
  });
}
