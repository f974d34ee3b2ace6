/** `npx entrance`: runs {@link main} on the process's arguments and sets the exit status. */
import { main } from "./main.js";

main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`entrance: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
