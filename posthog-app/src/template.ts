import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL("../destination/", import.meta.url));

export interface DestinationTemplate {
  type: "destination";
  name: string;
  description: string;
  icon_url: string;
  hog: string;
  inputs_schema: { key: string; type: string; label: string; secret: boolean; required: boolean; description: string; default?: unknown }[];
  filters: { events: unknown[]; filter_test_accounts: boolean };
}

/** The marker in the description by which the installer recognizes the destination it made. */
export const DESTINATION_MARKER = "[hogsend-destination]";

/** The Hog destination: its source and the JSON a PostHog hog function is created from. */
export function loadDestinationTemplate(): DestinationTemplate {
  const template = JSON.parse(readFileSync(dir + "template.json", "utf8"));
  return { ...template, hog: readFileSync(dir + "hogsend.hog", "utf8") };
}
