export type { CniErrorCode, CniErrorJson, CniErrorOptions } from "./errors.js";
export { CNI_ERROR_CODES, CniError, isCniError, toCniError } from "./errors.js";
export type { Dns, Interface, IpConfig, Result, Route } from "./result/model.js";
