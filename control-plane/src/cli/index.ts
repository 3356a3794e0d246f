import { parseArgs } from "node:util";
import { ConfigError } from "../config.js";
import { AppDefinitionError } from "../app.js";

const HELP = `hogsend — the Hogsend control plane

  hogsend start                         API, worker and Studio (embedded Postgres when DATABASE_URL is unset)
  hogsend migrate                       apply database migrations
  hogsend keys create --scope <scope>   mint an API key (ingest | read | journey-admin | full-admin) [--name <name>]
  hogsend posthog install --host <url> --project <id> --personal-api-key <phx_…> [--url <public url>] [--dry-run]
  hogsend posthog dashboard --host <url> --project <id> --personal-api-key <phx_…>
`;

async function main(argv: string[]) {
  const [command, sub] = argv;
  switch (command) {
    case "start":
      return (await import("./start.js")).start();
    case "migrate":
      return (await import("./commands.js")).migrateCommand();
    case "keys":
      if (sub !== "create") break;
      return (await import("./commands.js")).createKeyCommand(parseArgs({ args: argv.slice(2), options: { scope: { type: "string" }, name: { type: "string" } } }).values);
    case "posthog": {
      const { values } = parseArgs({
        args: argv.slice(2),
        options: { host: { type: "string" }, project: { type: "string" }, "personal-api-key": { type: "string" }, url: { type: "string" }, "dry-run": { type: "boolean" } },
      });
      if (sub === "install") return (await import("./posthog.js")).installCommand(values);
      if (sub === "dashboard") return (await import("./posthog.js")).dashboardCommand(values);
      break;
    }
    case undefined:
    case "help":
    case "--help":
      process.stdout.write(HELP);
      return;
  }
  process.stderr.write(`unknown command: ${argv.join(" ")}\n\n${HELP}`);
  process.exitCode = 2;
}

main(process.argv.slice(2)).catch((error) => {
  if (error instanceof ConfigError || error instanceof AppDefinitionError || error?.name === "CliError") {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`hogsend: ${error?.stack ?? error}\n`);
  }
  process.exit(1);
});
