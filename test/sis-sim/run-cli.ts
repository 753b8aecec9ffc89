// Runs the sis-sim command as the `coursebridge` binary would, for the CLI test.
import { sisSimCommand } from '../../src/cli/commands/sis-sim.ts';

await sisSimCommand().parseAsync(process.argv.slice(2), { from: 'user' });
