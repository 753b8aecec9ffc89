import { Command, Option } from 'commander';
import { roleByName } from '../../auth/roles.ts';
import { findUserByEmail, createUser, getUser, updateUser } from '../../auth/users.ts';
import { loadConfig } from '../../config.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { PRODUCTS, type Product } from '../../domain/permissions.ts';
import { userCreate } from '../../domain/people.ts';
import { CliError, cliActor, openConfigured, prepare, readStdin } from '../open.ts';

export function userCommand(): Command {
  const user = new Command('user').description('Manage users (passwords are read from standard input)');
  user
    .command('add')
    .description('Add a user; e.g. echo "$PASSWORD" | coursebridge user add --email a@b.edu --role Registrar --products scheduling,admin')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--role <role>', 'role name, e.g. Registrar, Scheduler, Viewer')
    .option('--name <name>', 'display name (defaults to the email)')
    .addOption(new Option('--products <list>', `comma-separated: ${PRODUCTS.join(', ')}`).default('scheduling'))
    .action(async (options: { email: string; role: string; name?: string; products: string }) => {
      const password = await readStdin();
      const config = loadConfig();
      const database = await openConfigured(config);
      try {
        await prepare(database, config);
        const role = await roleByName(database.db, options.role);
        const input = userCreate.parse({
          email: options.email,
          name: options.name ?? options.email,
          password,
          roleId: role.id,
          products: options.products.split(',').map((p) => p.trim()) as Product[],
        });
        const created = await createUser(database.db, cliActor(), input);
        console.log(`Added ${created.email} (${created.roleName}; ${created.products.join(', ')}).`);
      } finally {
        await database.close();
      }
    });
  user
    .command('reset-password')
    .description('Set a new password, read from standard input; signs the user out everywhere')
    .requiredOption('--email <email>', 'sign-in email')
    .action(async (options: { email: string }) => {
      const password = await readStdin();
      if (password.length < 12) throw new CliError('The password needs at least 12 characters.');
      const config = loadConfig();
      const database = await openConfigured(config);
      try {
        await prepare(database, config);
        const found = await findUserByEmail(database.db, options.email);
        if (!found) throw new NotFoundError('user with the email', options.email);
        const current = await getUser(database.db, found.id);
        await updateUser(database.db, cliActor(), found.id, { version: current.version, password });
        console.log(`New password set for ${current.email}.`);
      } finally {
        await database.close();
      }
    });
  return user;
}
