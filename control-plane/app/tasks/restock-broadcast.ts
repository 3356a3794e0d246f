import { defineTask, getContainer, type TaskInput } from "../../src/index.js";
import { createCampaign } from "../../src/audiences/campaigns.js";
import { Events, Templates } from "../constants.js";

/**
 * One campaign per SKU per day to its notify-me list, however often the warehouse re-fires or the task
 * retries: the campaign's idempotency key carries the SKU and the date. The campaign is created through the
 * same module POST /v1/campaigns uses, in process (a task needs no API key to reach its own engine).
 */
export const restockBroadcastTask = defineTask<TaskInput>({
  name: "restock-broadcast",
  onEvents: [Events.PRODUCT_RESTOCKED],
  retries: 2,
  executionTimeout: "10m",
  fn: async (input, ctx) => {
    const sku = String(input.properties.sku ?? "");
    const productName = String(input.properties.product_name ?? "");
    if (!sku) return { status: "skipped", reason: "missing_sku" };
    const { engine } = getContainer();
    if (!engine.registry.lists.has(`restock-${sku}`)) return { status: "skipped", reason: "no_list" };
    const date = ctx.now().toISOString().slice(0, 10);
    const { campaignId } = await createCampaign(engine, {
      list: `restock-${sku}`,
      template: Templates.BACK_IN_STOCK,
      props: { sku, productName },
      subject: `${productName} is back in stock`,
      idempotencyKey: `restock-${sku}-${date}`,
    });
    return { status: "queued", campaignId, sku };
  },
});
