import { type ChildProcess, spawn } from "node:child_process";

/** Commands running now, so that a failing run can stop them. */
const running = new Set<ChildProcess>();

/** Kills every command still running (for a `finally` or a signal handler). */
export function killAllCommands(): void {
  for (const child of running) child.kill("SIGKILL");
}

/** Runs a command to its end, killed after `timeoutMs`; resolves with its stdout. */
export function runCommand(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      running.delete(child);
      reject(error);
    });
    // "close", not "exit": a process may exit before its output is all read, and the result
    // line comes last.
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (code === 0) resolve(stdout);
      else
        reject(new Error(`${command} ${args.join(" ")} ended with ${signal ?? code}:\n${stderr}`));
    });
  });
}
