export { Hogsend, type HogsendOptions } from "./client.js";
export { HogsendError } from "./errors.js";
export type * from "./types.js";
