/** What a failed request says; the client already puts the server's message in it. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether a request failed because the Stone changed meanwhile (409). */
export function isConflict(error: unknown): boolean {
  return (error as { statusCode?: number } | undefined)?.statusCode === 409;
}
