import { defineList } from "../../src/index.js";

export const productUpdates = defineList({
  id: "product-updates",
  name: "Product updates",
  description: "What's new, once a month.",
  defaultOptIn: true,
});

const restockList = (sku: string, productName: string) =>
  defineList({
    id: `restock-${sku}`,
    name: `Back in stock — ${productName}`,
    description: `One email when ${productName} is available again.`,
    defaultOptIn: false,
  });

export const restockLists = [restockList("chair-01", "Studio chair"), restockList("desk-02", "Standing desk")];

export const lists = [productUpdates, ...restockLists];
