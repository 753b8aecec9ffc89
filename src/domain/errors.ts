// Errors the domain and store raise for the caller's mistakes. The HTTP layer turns each into an
// RFC 9457 problem (src/http/problem.ts); the CLI prints its message. Anything else is a bug (500).

export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  readonly status: number;
  readonly title: string;
  readonly extensions: Record<string, unknown>;
  constructor(status: number, title: string, detail: string, extensions: Record<string, unknown> = {}) {
    super(detail);
    this.status = status;
    this.title = title;
    this.extensions = extensions;
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: string, key: string) {
    super(404, 'Not found', `No ${entity} ${key}.`);
  }
}

/** The record changed since the caller read it; the current version lets it re-read and retry. */
export class StaleVersionError extends DomainError {
  constructor(entity: string, currentVersion: number, current?: unknown) {
    super(
      409,
      'Edited meanwhile',
      `This ${entity} was changed by someone else since you read it (now at version ${currentVersion}). Reload it and apply your change again.`,
      { currentVersion, ...(current === undefined ? {} : { current }) },
    );
  }
}

export class ConflictError extends DomainError {
  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super(409, 'Conflict', detail, extensions);
  }
}

export class InvalidError extends DomainError {
  constructor(detail: string, errors: FieldError[]) {
    super(422, 'Invalid', detail, { errors });
  }
}

export class ForbiddenError extends DomainError {
  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super(403, 'Forbidden', detail, extensions);
  }
}
