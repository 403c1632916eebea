// Lambda entry point for the identity context (being written; see functions/src/http).
export const handler = async (): Promise<{ statusCode: number }> => ({ statusCode: 503 });
