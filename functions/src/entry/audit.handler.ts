// Lambda entry point for the audit context (being written; see functions/src/http).
export const handler = async (): Promise<{ statusCode: number }> => ({ statusCode: 503 });
