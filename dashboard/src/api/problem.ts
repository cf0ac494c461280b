/** An RFC 9457 problem as the server sends it (application/problem+json), or one made for a failure without a body. */
export interface Problem {
  status: number;
  title: string;
  detail?: string;
  code?: string;
  correlationId?: string;
  errors?: { field: string; message: string }[];
}

function isProblem(value: unknown): value is Problem {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Problem).status === 'number' &&
    typeof (value as Problem).title === 'string'
  );
}

/** Whatever a request threw (a problem body, a network error, a bug), as a problem. */
export function toProblem(error: unknown): Problem {
  if (isProblem(error)) return error;
  if (error instanceof TypeError)
    return {
      status: 0,
      title: 'Network error',
      detail: 'The server could not be reached. Check the connection and try again.',
    };
  if (error instanceof Error) return { status: 0, title: 'Error', detail: error.message };
  return { status: 0, title: 'Error', detail: String(error) };
}

/** One line for a notification or an alert: the detail, else the title. */
export function problemMessage(error: unknown): string {
  const problem = toProblem(error);
  return problem.detail || problem.title;
}

/**
 * Field errors keyed by form path. `map` turns the server's field names (`amount.value`,
 * `credentials.apiKey`) into the form's; fields it does not know stay under their own name.
 */
export function fieldErrors(
  error: unknown,
  map: (field: string) => string | undefined = (field) => field,
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const { field, message } of toProblem(error).errors ?? []) {
    const path = map(field) ?? field;
    errors[path] = errors[path] ? `${errors[path]}; ${message}` : message;
  }
  return errors;
}
