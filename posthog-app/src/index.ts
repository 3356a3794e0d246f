export { loadDestinationTemplate, DESTINATION_MARKER, type DestinationTemplate } from "./template.js";
export { compileHog, HogCompileError } from "./compile.js";
export { installDestination, type InstallOptions, type InstallResult } from "./install.js";
export { createDashboard, type DashboardOptions } from "./dashboard.js";
export { PostHogApiError } from "./api.js";
