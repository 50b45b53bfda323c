// The .vsix ships no node_modules (vsce package --no-dependencies): the esbuild bundle
// dist/extension.js (npm run build) must load with nothing but Node's own modules and the
// `vscode` module VS Code provides, and export activate/deactivate.
const test = require("node:test");
const assert = require("node:assert");
const Module = require("module");
const path = require("path");

test("the bundled extension loads without node_modules", () => {
  // A stand-in for VS Code's module: any property, call or construction gives another one.
  const fake = () =>
    new Proxy(function () {}, {
      get: (_, key) => (key === "prototype" ? {} : key === Symbol.toPrimitive ? () => "" : fake()),
      apply: () => fake(),
      construct: () => fake(),
    });
  const vscode = fake();
  const bundle = path.join(__dirname, "..", "dist", "extension.js");
  const outside = [];
  const load = Module._load;
  Module._load = function (request, parent, ...rest) {
    if (request === "vscode") return vscode;
    if (parent?.filename === bundle && !Module.isBuiltin(request)) outside.push(request);
    return load.call(this, request, parent, ...rest);
  };
  try {
    const extension = require(bundle);
    assert.strictEqual(typeof extension.activate, "function");
    assert.strictEqual(typeof extension.deactivate, "function");
  } finally {
    Module._load = load;
  }
  assert.deepStrictEqual(outside, [], "modules the bundle needs from node_modules");
});
