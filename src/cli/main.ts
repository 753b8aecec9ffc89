// The `coursebridge` command. A caller's mistake prints one plain sentence (no stack trace) and
// exits 1; usage mistakes exit 1 with commander's message; only a bug prints its stack.
import { Command } from 'commander';
import { ZodError } from 'zod';
import { ConfigError } from '../config.ts';
import { DataDirLockedError } from '../db/data-dir.ts';
import { DomainError } from '../domain/errors.ts';
import { mergeCommand } from './commands/merge.ts';
import { migrateCommand } from './commands/migrate.ts';
import { pushCommand } from './commands/push.ts';
import { restoreCommand } from './commands/restore.ts';
import { serveCommand } from './commands/serve.ts';
import { sisSimCommand } from './commands/sis-sim.ts';
import { tokenCommand } from './commands/token.ts';
import { userCommand } from './commands/user.ts';
import { CliError } from './open.ts';

const program = new Command('coursebridge')
  .description('Coursebridge: the class-scheduling hub between registrars and the SIS')
  .showHelpAfterError()
  .addCommand(serveCommand())
  .addCommand(migrateCommand())
  .addCommand(mergeCommand())
  .addCommand(pushCommand())
  .addCommand(userCommand())
  .addCommand(tokenCommand())
  .addCommand(restoreCommand())
  .addCommand(sisSimCommand());

function explain(error: unknown): string {
  if (error instanceof ZodError) return error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n');
  if (error instanceof DomainError) {
    const fields = (error.extensions.errors as { field: string; message: string }[] | undefined) ?? [];
    return [error.message, ...fields.map((f) => `  ${f.field}: ${f.message}`)].join('\n');
  }
  if (error instanceof CliError || error instanceof ConfigError || error instanceof DataDirLockedError) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

try {
  await program.parseAsync();
} catch (error) {
  process.stderr.write(`coursebridge: ${explain(error)}\n`);
  process.exit(1);
}
