// Unit tests of the extension's own logic (compiled to out/logic.js).
const test = require("node:test");
const assert = require("node:assert");
const path = require("path");
const { statusText, resolveServerPath, serverSettings } = require("../out/logic.js");

test("status text for each trace state", () => {
  assert.match(statusText({ uri: "u", state: "running", message: "Tracing" }).text, /tracing/);
  assert.strictEqual(
    statusText({ uri: "u", state: "done", message: "m", confirmed: 3, mismatches: 0, errors: 0 }).text,
    "$(check) lockward: 3 confirmed",
  );
  assert.strictEqual(
    statusText({ uri: "u", state: "done", message: "m", confirmed: 2, mismatches: 1, errors: 1 }).text,
    "$(warning) lockward: 2 confirmed, 2 to check",
  );
  assert.match(statusText({ uri: "u", state: "failed", message: "no PostgreSQL 17" }).tooltip, /no PostgreSQL 17/);
});

test("server path: setting first, then the binary inside the .vsix, then PATH", () => {
  const bundled = "/ext/lockward-0.1.0/server/lockward";
  const present = new Set(["/opt/lw/lockward", path.join("/usr/bin", "lockward"), bundled]);
  const exists = (p) => present.has(p);
  assert.strictEqual(resolveServerPath("/opt/lw/lockward", bundled, "/usr/bin", exists), "/opt/lw/lockward");
  assert.strictEqual(resolveServerPath("/missing", bundled, "/usr/bin", exists), undefined);
  assert.strictEqual(resolveServerPath("", bundled, "/usr/bin", exists), bundled);
  assert.strictEqual(resolveServerPath(undefined, bundled, "/usr/bin", exists), bundled);
  // The universal .vsix has no server/ folder: PATH decides.
  const universal = "/ext/universal/server/lockward";
  assert.strictEqual(resolveServerPath("", universal, `/nope${path.delimiter}/usr/bin`, exists), path.join("/usr/bin", "lockward"));
  assert.strictEqual(resolveServerPath(undefined, undefined, "/usr/bin", exists), path.join("/usr/bin", "lockward"));
  assert.strictEqual(resolveServerPath(undefined, universal, "/nope", exists), undefined);
});

test("settings sent to the server drop unset values and client-only keys", () => {
  assert.deepStrictEqual(
    serverSettings({ path: "/x", pgVersion: 15, maxRisk: null, rules: { "create-index": "off" }, trace: { server: "off" } }),
    { pgVersion: 15, rules: { "create-index": "off" } },
  );
});
