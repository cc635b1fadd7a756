/**
 * `deno task demo`: the real awsmfa against our fake STS in a throw-away
 * HOME, so anyone can watch the whole flow without an AWS account. At a
 * terminal it shows the real prompt (and tells you the code to type);
 * elsewhere it passes the code with --code. Secrets are masked in what it
 * shows, as awsmfa itself never prints them.
 *
 * @module
 */
import { cliCommand } from "./cli_runner.ts";
import { setupE2e } from "./e2e_env.ts";

const bold = (text: string) => Deno.stdout.isTerminal() ? `\x1b[1m${text}\x1b[0m` : text;

function mask(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) {
    out = out.replaceAll(secret, `(${secret.length} characters, masked)`);
  }
  return out;
}

async function main(): Promise<void> {
  await using world = await setupE2e({ withSource: false });
  const secrets = () => [world.user.secretAccessKey, ...world.fake.issuedSecrets()];
  await world.writeCredentials(
    "# Long-term keys live in [georgemfa]; awsmfa writes the session into [george].\n" +
      world.sourceSection() +
      "\n[personal]\nregion = eu-west-1\n",
  );
  const show = async (title: string) => {
    console.log(bold(`\n── ${title} ──`));
    console.log(mask(await world.readCredentials(), secrets()).trimEnd());
  };
  const awsmfa = async (args: string[], interactive = false) => {
    console.log(bold(`\n$ awsmfa ${args.join(" ")}`));
    const [command, ...prefix] = cliCommand();
    const child = new Deno.Command(command, {
      args: [...prefix, ...args],
      env: world.env,
      stdin: interactive ? "inherit" : "null",
      stdout: "piped",
      stderr: interactive ? "inherit" : "piped",
    }).spawn();
    const output = await child.output();
    const text = new TextDecoder().decode(output.stdout) +
      (interactive ? "" : new TextDecoder().decode(output.stderr));
    Deno.stdout.writeSync(new TextEncoder().encode(mask(text, secrets())));
    console.log(`(exit code ${output.code})`);
  };

  console.log(bold("awsmfa demo") + `: a fake STS at ${world.fake.url}, HOME=${world.home}`);
  await show("~/.aws/credentials before");

  const interactive = Deno.stdin.isTerminal();
  if (interactive) {
    const code = await world.fake.freshCode(world.serial);
    console.log(bold(`\nYour MFA app now shows ${code}: type it at the prompt (Backspace works).`));
    await awsmfa(["george"], true);
  } else {
    await awsmfa(["george", "--code", await world.fake.freshCode(world.serial)]);
  }
  await show("~/.aws/credentials after: only [george] was added");

  await awsmfa(["george"]);
  console.log("(the session is still valid, so awsmfa asked for nothing)");

  console.log(bold(`\n$ aws sts get-caller-identity --profile george`));
  try {
    const aws = await new Deno.Command("aws", {
      args: ["sts", "get-caller-identity", "--profile", "george", "--endpoint-url", world.fake.url],
      env: { ...world.env, AWS_DEFAULT_REGION: "us-east-1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    console.log(decoder.decode(aws.stdout).trimEnd() || decoder.decode(aws.stderr).trimEnd());
  } catch {
    console.log("(the aws CLI is not installed here; any AWS tool would now use [george])");
  }
  console.log(bold("\nDone.") + " The throw-away HOME is removed.");
}

if (import.meta.main) await main();
