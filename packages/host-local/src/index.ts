export { isEmptyDns, parseResolvConf, parseResolvConfText } from "./dns.js";
export { errnoCode, goPathErrorText } from "./go-error-text.js";
