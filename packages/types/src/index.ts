export type { CniArgFields, CniArgParser, ParsedCniArgs } from "./cni-args.js";
export { parseCniArgBool, parseCniArgString, parseCniArgs } from "./cni-args.js";
export type { CniErrorCode, CniErrorJson, CniErrorOptions } from "./errors.js";
export { CNI_ERROR_CODES, CniError, isCniError, toCniError } from "./errors.js";
export { errnoCode, errnoName, goErrnoText } from "./go-errno.js";
export { goQuote, goQuoteList } from "./go-quote.js";
export { goFields, goTrimSpace, hasGoSpace } from "./go-strings.js";
export { printError, printJson } from "./print-json.js";
export type { AnyResult, ResultFamily } from "./result/any-result.js";
export { isCurrentResult, isResult020, isResult040, resultFamilyOf } from "./result/any-result.js";
export { convertResult, toCurrentResult } from "./result/convert.js";
export { kindOf as goJsonKind } from "./result/go-decode.js";
export type { Dns, Interface, IpConfig, Result, Route } from "./result/model.js";
export { parsePrevResult } from "./result/parse-prev-result.js";
export { printResult } from "./result/print-result.js";
export type { IpConfig020, Result020, Route020 } from "./result/result-020.js";
export type { Interface040, IpConfig040, Result040 } from "./result/result-040.js";
export type { SupportedVersion, Version } from "./version.js";
export {
  CURRENT_VERSION,
  compareVersions,
  isSupportedVersion,
  parseVersion,
  printVersionInfo,
  SUPPORTED_VERSIONS,
  versionAtLeast,
  versionsStartingFrom,
} from "./version.js";
