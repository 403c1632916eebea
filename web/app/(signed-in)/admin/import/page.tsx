import type { Metadata } from 'next';
import { ErrorNotice, PageHeader } from '@/components/ui';
import { can, requireSession } from '@/lib/api';
import { importInventoryAction } from './actions';
import styles from './import.module.css';
import { ImportForm } from './import-form';
import { columnHelp, exampleCsv, maxImportBytes, maxImportRows } from './import-format';

export const metadata: Metadata = { title: 'Import systems and accounts' };

export default async function ImportPage() {
  const session = await requireSession();
  if (!can(session, 'system:create') || !can(session, 'account:create')) {
    return (
      <>
        <PageHeader title="Import systems and accounts" />
        <ErrorNotice title="Not available to you">
          <p>Importing needs permission to create both systems and accounts.</p>
        </ErrorNotice>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Import systems and accounts"
        description={`Onboard up to ${maxImportRows.toLocaleString('en-GB')} accounts at once from a CSV file, with the systems they live on and, if you like, their current passwords.`}
      />

      <section aria-labelledby="format-heading">
        <h2 id="format-heading">File format</h2>
        <p>
          One account per row, after a header row naming the columns (in any order; optional columns may be
          left out). Fields containing commas, quotes or line breaks go in double quotes, with a quote inside
          written twice. Each row is imported on its own: a row that fails does not stop the others, and the
          results list the reason for each failure.
        </p>
        <div className="table-wrap">
          <table>
            <caption>Columns of the import file</caption>
            <thead>
              <tr>
                <th scope="col">Column</th>
                <th scope="col">Required</th>
                <th scope="col">Meaning</th>
              </tr>
            </thead>
            <tbody>
              {columnHelp.map((help) => (
                <tr key={help.column}>
                  <td className="mono">{help.column}</td>
                  <td>{help.required}</td>
                  <td>{help.meaning}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="example-heading">
        <h2 id="example-heading">Example</h2>
        <p>
          Two accounts on a new Linux system, a PostgreSQL login and a domain service account.{' '}
          <a href="/admin/import/example.csv" download="strongroom-import-example.csv">
            Download the example file
          </a>
          .
        </p>
        <pre className={styles.example}>{exampleCsv.replaceAll('\r\n', '\n')}</pre>
      </section>

      <section aria-labelledby="import-heading">
        <h2 id="import-heading">Import</h2>
        <ImportForm
          action={importInventoryAction}
          csrf={session.csrfToken}
          maxBytes={maxImportBytes}
          maxRows={maxImportRows}
        />
      </section>
    </>
  );
}
