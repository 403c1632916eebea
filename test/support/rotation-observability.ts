import { createLogger, type Logger } from '@strongroom/functions/observability/logger';

/** A logger whose JSON lines the test can read (and search for leaked secrets). */
export function createObservability(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return {
    logger: createLogger({ service: 'test-workers', level: 'debug', write: (line) => lines.push(line) }),
    lines,
  };
}
