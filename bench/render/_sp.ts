import { measureSendPath, printSendPath } from "./send-path.js";
const r = await measureSendPath(3000); printSendPath(r, 3000);
