import { describe, expect, it } from "vitest";
import { parseReservationValue, toReservationValue } from "../src/index.js";

describe("reservation values", () => {
  it.each([
    ["an exact record", { containerId: "c1", ifname: "eth0" }, "c1\r\neth0"],
    ["a legacy record", { containerId: "c1", ifname: undefined }, "c1"],
  ])("writes %s like upstream's file and reads it back", (_case, owner, value) => {
    expect(toReservationValue(owner)).toBe(value);
    expect(parseReservationValue(value)).toEqual(owner);
  });

  it.each([
    ["surrounding white space, as upstream trims", " c1\r\neth0\n", { containerId: "c1", ifname: "eth0" }],
    [
      "an ID and CR LF with no ifname: legacy, as on disk",
      "c1\r\n",
      { containerId: "c1", ifname: undefined },
    ],
    ["an empty value: no owner", "", { containerId: "", ifname: undefined }],
    ["U+0085 is Go white space", "\u0085c1", { containerId: "c1", ifname: undefined }],
    ["U+FEFF is not", "\ufeffc1", { containerId: "\ufeffc1", ifname: undefined }],
  ])("reads %s", (_case, value, owner) => {
    expect(parseReservationValue(value)).toEqual(owner);
  });
});
