// One line for a failure shown to the user: "Busy: database x is open
// elsewhere" for a StrataError (anything with a string `code`), else its
// message.

export function describeError(e: unknown): { code: string | undefined; text: string } {
  const { code, message } = (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(e);
  return typeof code === 'string' ? { code, text: `${code}: ${text}` } : { code: undefined, text };
}
