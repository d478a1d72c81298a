/** The server's message of a failed request, else the error's own. */
export function errorMessage(error: unknown): string {
  const e = error as {
    body?: { error?: { message?: string } };
    message?: string;
  };
  return e?.body?.error?.message ?? e?.message ?? String(error);
}
