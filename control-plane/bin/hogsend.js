#!/usr/bin/env node
// The `hogsend` command: runs the TypeScript CLI through tsx, so nothing needs building first.
import { register } from "tsx/esm/api";
register();
await import("../src/cli/index.ts");
