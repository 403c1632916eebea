/**
 * Structured JSON logs, one object per line (CloudWatch Logs Insights reads them as fields).
 *
 * Callers pass named fields, never request bodies or credentials: the logger has no way to tell a
 * secret from a value, so the rule is enforced where logs are written (and tested by scanning the
 * log output of the integration suite for every plaintext it handled).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields & { readonly error?: never }, error?: unknown): void;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  readonly service: string;
  readonly level?: LogLevel;
  /** Where lines go; stdout by default. Tests pass an array sink. */
  readonly write?: (line: string) => void;
  readonly clock?: () => Date;
}

/** Error name and message, and the cause chain's names: stack traces stay out of shared logs. */
function describeError(error: unknown): Record<string, string> {
  if (!(error instanceof Error)) return { errorType: typeof error };
  const causes: string[] = [];
  let cause: unknown = error.cause;
  while (cause instanceof Error && causes.length < 5) {
    causes.push(cause.name);
    cause = cause.cause;
  }
  return {
    errorType: error.name,
    errorMessage: error.message,
    ...(causes.length ? { errorCauses: causes.join(' <- ') } : {}),
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const threshold = order[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clock = options.clock ?? (() => new Date());
  const log = (level: LogLevel, message: string, fields: LogFields = {}, error?: unknown) => {
    if (order[level] < threshold) return;
    write(
      JSON.stringify({
        time: clock().toISOString(),
        level,
        service: options.service,
        message,
        ...fields,
        ...(error === undefined ? {} : describeError(error)),
      }),
    );
  };
  return {
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields, error) => log('error', message, fields, error),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
