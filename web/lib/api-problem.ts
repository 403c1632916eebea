/** An RFC 9457 problem from the Strongroom API, with its field errors keyed by dotted field name. */
export interface FieldErrors {
  readonly [field: string]: string;
}

export class ApiProblem extends Error {
  override readonly name = 'ApiProblem';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly fieldErrors: FieldErrors,
  ) {
    super(detail || title);
  }
}

interface ProblemBody {
  title?: string;
  detail?: string;
  code?: string;
  errors?: { field?: string; message?: string }[];
}

export function problemFrom(status: number, body: unknown): ApiProblem {
  const problem = (body ?? {}) as ProblemBody;
  const fieldErrors: Record<string, string> = {};
  for (const error of problem.errors ?? []) {
    if (error.field && error.message && !(error.field in fieldErrors))
      fieldErrors[error.field] = error.message;
  }
  return new ApiProblem(
    status,
    problem.code ?? `http-${status}`,
    problem.title ?? 'Request failed',
    problem.detail ?? '',
    fieldErrors,
  );
}

/** What a form action returns to its form: a message, and the API's field errors to show inline. */
export interface FormState {
  readonly ok?: boolean;
  readonly message?: string;
  readonly fieldErrors?: FieldErrors;
  /** Echo of what the user typed (never secrets), so a failed submit keeps the form filled. */
  readonly values?: Readonly<Record<string, string>>;
}

export function formStateOf(error: unknown, values?: Record<string, string>): FormState {
  if (error instanceof ApiProblem) {
    return {
      ok: false,
      message: error.detail || error.title,
      fieldErrors: error.fieldErrors,
      ...(values ? { values } : {}),
    };
  }
  throw error;
}
