import type { HogsendApp } from "../src/app.js";
import { conciergeOnboarding } from "./journeys/concierge-onboarding.js";
import { supportFollowup } from "./journeys/support-followup.js";
import { verificationChase } from "./journeys/verification-chase.js";
import { csmAlertTask } from "./tasks/csm-alert.js";
import { supportAlertTask } from "./tasks/support-alert.js";
import { restockBroadcastTask } from "./tasks/restock-broadcast.js";
import { lists } from "./lists/index.js";
import { inventorySource } from "./sources/inventory.js";

/** The default app: the journeys, tasks and lists of the recipes. `hogsend start` serves it. */
export const app: HogsendApp = {
  journeys: [conciergeOnboarding, supportFollowup, verificationChase],
  tasks: [csmAlertTask, supportAlertTask, restockBroadcastTask],
  lists,
  webhookSources: [inventorySource],
};
