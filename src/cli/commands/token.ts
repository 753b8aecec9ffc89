import { Command, Option } from 'commander';
import { roleByName } from '../../auth/roles.ts';
import { createToken } from '../../auth/tokens.ts';
import { loadConfig } from '../../config.ts';
import { cliActor, openConfigured, prepare } from '../open.ts';

export function tokenCommand(): Command {
  const token = new Command('token').description('Manage API tokens');
  token
    .command('create')
    .description('Create an API token and print it once')
    .requiredOption('--name <name>', 'what the token is for, e.g. "Banner nightly job"')
    .requiredOption('--role <role>', 'role whose permissions the token gets')
    .addOption(new Option('--kind <kind>', 'api or record_system (a Course API client)').choices(['api', 'record_system']).default('api'))
    .action(async (options: { name: string; role: string; kind: 'api' | 'record_system' }) => {
      const config = loadConfig();
      const database = await openConfigured(config);
      try {
        await prepare(database, config);
        const role = await roleByName(database.db, options.role);
        const { secret } = await createToken(database.db, cliActor(), { name: options.name, roleId: role.id, kind: options.kind });
        process.stdout.write(`${secret}\n`);
        process.stderr.write('This token is shown once; store it now.\n');
      } finally {
        await database.close();
      }
    });
  return token;
}
