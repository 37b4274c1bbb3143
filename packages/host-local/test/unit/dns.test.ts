import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isEmptyDns, parseResolvConf, parseResolvConfText } from "../../src/index.js";

describe("parseResolvConfText", () => {
  it.each([
    {
      name: "two indented nameservers (upstream dns_test)",
      text: "  nameserver 192.0.2.0\n\tnameserver 192.0.2.1\n",
      dns: { nameservers: ["192.0.2.0", "192.0.2.1"] },
    },
    {
      name: "a line starting with ; is a comment (upstream dns_test)",
      text: "nameserver 192.0.2.0\n;nameserver 192.0.2.1\n",
      dns: { nameservers: ["192.0.2.0"] },
    },
    {
      name: "full example (upstream dns_test)",
      text: [
        "nameserver 192.0.2.0",
        "nameserver 192.0.2.2",
        "domain example.com",
        ";nameserver comment",
        "#nameserver comment",
        "search example.net example.org",
        "search example.gov",
        "options one two",
        "options three",
        "options four",
      ].join("\n"),
      dns: {
        nameservers: ["192.0.2.0", "192.0.2.2"],
        domain: "example.com",
        search: ["example.net", "example.org", "example.gov"],
        options: ["one", "two", "three", "four"],
      },
    },
    {
      name: "contract section 8 example",
      text: [
        "# comment",
        "; another",
        "nameserver 192.0.2.3",
        "nameserver   2001:db8::53  extra",
        "domain example.com",
        "domain second.com",
        "search a.example b.example",
        "search c.example",
        "options ndots:5 rotate",
        "nameserver",
        "  options   timeout:1",
        "sortlist 1.2.3.4",
      ].join("\n"),
      dns: {
        nameservers: ["192.0.2.3", "2001:db8::53"],
        domain: "second.com",
        search: ["a.example", "b.example", "c.example"],
        options: ["ndots:5", "rotate", "timeout:1"],
      },
    },
    {
      name: "keywords are case-sensitive",
      text: "Nameserver 192.0.2.9\nDOMAIN x\nnameserver 192.0.2.8\n",
      dns: { nameservers: ["192.0.2.8"] },
    },
    {
      name: "no inline comment stripping",
      text: "search a.example # x\n",
      dns: { search: ["a.example", "#", "x"] },
    },
    {
      name: "CRLF line ends and tabs are whitespace",
      text: "nameserver 1.2.3.4\r\n search a\tb\r\n",
      dns: { nameservers: ["1.2.3.4"], search: ["a", "b"] },
    },
    {
      name: "Go whitespace (U+0085, U+00A0) separates fields, U+FEFF does not",
      text: "search a\u0085b\u00a0c\nsearch d\ufeffe\n",
      dns: { search: ["a", "b", "c", "d\ufeffe"] },
    },
    { name: "empty file", text: "", dns: {} },
    { name: "comments only", text: "# a\n; b\n\n   \n", dns: {} },
    { name: "keyword without value", text: "nameserver\ndomain\n", dns: {} },
  ])("$name", ({ text, dns }) => {
    expect(parseResolvConfText(text)).toStrictEqual(dns);
  });
});

describe("isEmptyDns", () => {
  it.each([
    [{}, true],
    [{ nameservers: [], search: [], options: [], domain: "" }, true],
    [{ nameservers: ["192.0.2.1"] }, false],
    [{ domain: "x" }, false],
    [{ search: ["x"] }, false],
    [{ options: ["x"] }, false],
  ])("%j -> %s", (dns, empty) => {
    expect(isEmptyDns(dns)).toBe(empty);
  });
});

describe("parseResolvConf", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "hl-dns-"));
    await writeFile(join(dir, "resolv.conf"), "nameserver 192.0.2.3\nsearch a.example\n");
    await mkdir(join(dir, "a-directory"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads and parses a file", async () => {
    await expect(parseResolvConf(join(dir, "resolv.conf"))).resolves.toStrictEqual({
      nameservers: ["192.0.2.3"],
      search: ["a.example"],
    });
  });

  it.each([
    ["missing file", "nope", (p: string) => `open ${p}: no such file or directory`],
    ["directory", "a-directory", (p: string) => `read ${p}: is a directory`],
  ])("%s fails with code 999 and upstream's text", async (_name, file, text) => {
    const path = join(dir, file);
    await expect(parseResolvConf(path)).rejects.toMatchObject({ code: 999, msg: text(path) });
  });
});
