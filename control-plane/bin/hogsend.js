#!/usr/bin/env node
// The `hogsend` command: runs the TypeScript CLI through tsx, so nothing needs building first.
// React renders templates several times faster in its production build.
process.env.NODE_ENV ??= "production";
import { register } from "tsx/esm/api";
register();
await import("../src/cli/index.ts");
