// Whether a database error means the database is out of reach (stopped, restarting, failing over,
// closed to connections) rather than that a statement failed: the same request may well succeed
// once it is back, and the pool reconnects by itself (src/db/database.ts).

/** Socket errors of the driver's connection (Node's codes). */
const SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * SQLSTATEs that end the session: 57P01 admin shutdown (a restart, pg_terminate_backend), 57P02
 * crash shutdown, 57P03 cannot connect now (starting up, shutting down), 53300 too many connections.
 * Class 08 (connection exception) is matched whole.
 */
const SESSION_ENDED = new Set(['57P01', '57P02', '57P03', '53300']);

/** pg's own errors when the server closes the socket under it; they carry no code. */
const CLOSED = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect)/;

export function databaseUnreachable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, routine, message } = error as { code?: unknown; routine?: unknown; message?: unknown };
  if (typeof code === 'string' && (SOCKET.has(code) || SESSION_ENDED.has(code) || code.startsWith('08'))) return true;
  // A database closed to connections (ALTER DATABASE … ALLOW_CONNECTIONS false) refuses each new
  // one with 55000, a code shared with statement errors: the server's routine tells them apart.
  if (code === '55000' && routine === 'CheckMyDatabase') return true;
  return typeof message === 'string' && CLOSED.test(message);
}
