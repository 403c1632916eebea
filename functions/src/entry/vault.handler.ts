// Lambda entry point for the vault context (being written; see functions/src/http).
export const handler = async (): Promise<{ statusCode: number }> => ({ statusCode: 503 });
