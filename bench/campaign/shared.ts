import { defineList } from "../../control-plane/src/audiences/lists.js";

/** The bench's audience: an opt-out list, so every seeded contact is a recipient. */
export const LIST = defineList({ id: "everyone", name: "Everyone", defaultOptIn: true });
