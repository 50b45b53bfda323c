// Drives the real `lockward lsp` through vscode-jsonrpc and vscode-languageserver-protocol,
// the protocol libraries the extension's client is built on.
const test = require("node:test");
const assert = require("node:assert");
const { spawn } = require("child_process");
const rpc = require("vscode-jsonrpc/node");
const lsp = require("vscode-languageserver-protocol");

const binary = process.env.LOCKWARD_BINARY;
if (!binary) throw new Error("set LOCKWARD_BINARY to the lockward binary to test against");

test("diagnostics, hover and a quick fix through the protocol library", async () => {
  const server = spawn(binary, ["lsp"], { stdio: ["pipe", "pipe", "ignore"] });
  const connection = rpc.createMessageConnection(
    new rpc.StreamMessageReader(server.stdout),
    new rpc.StreamMessageWriter(server.stdin),
  );
  const diagnostics = new Promise((resolve) =>
    connection.onNotification(lsp.PublishDiagnosticsNotification.type, (p) => resolve(p)),
  );
  connection.listen();
  const init = await connection.sendRequest(lsp.InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
  });
  assert.strictEqual(init.serverInfo.name, "lockward");
  await connection.sendNotification(lsp.InitializedNotification.type, {});
  const uri = "file:///tmp/lockward-vscode-test/001.sql";
  await connection.sendNotification(lsp.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: "sql", version: 1, text: "SET lock_timeout = '2s';\nCREATE INDEX i ON users (email);\n" },
  });
  const published = await diagnostics;
  const index = published.diagnostics.find((d) => d.code === "create-index");
  assert.ok(index, "create-index diagnostic");
  assert.match(index.message, /SHARE on table users/);

  const hover = await connection.sendRequest(lsp.HoverRequest.type, { textDocument: { uri }, position: { line: 1, character: 2 } });
  assert.match(hover.contents.value, /`SHARE` on table `users`/);

  const actions = await connection.sendRequest(lsp.CodeActionRequest.type, {
    textDocument: { uri },
    range: index.range,
    context: { diagnostics: [index] },
  });
  const fix = actions.find((a) => a.title === "Use CONCURRENTLY");
  assert.ok(fix, "CONCURRENTLY quick fix");
  assert.strictEqual(fix.edit.changes[uri][0].newText, "CREATE INDEX CONCURRENTLY i ON users (email)");

  await connection.sendRequest(lsp.ShutdownRequest.type);
  await connection.sendNotification(lsp.ExitNotification.type);
  const code = await new Promise((resolve) => server.on("exit", resolve));
  assert.strictEqual(code, 0);
  connection.dispose();
});
