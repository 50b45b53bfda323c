// The two paths the first protocol test leaves out, through the same protocol libraries: the
// pull-diagnostics refresh the client answers, and "Trace this migration" (the request the
// extension's command sends) with the progress and the lockward/traceStatus notifications
// its status-bar item shows (statusText from out/logic.js).
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { spawn } = require("child_process");
const { setTimeout: sleep } = require("timers/promises");
const rpc = require("vscode-jsonrpc/node");
const lsp = require("vscode-languageserver-protocol");
const { statusText } = require("../out/logic.js");

const binary = process.env.LOCKWARD_BINARY;
if (!binary) throw new Error("set LOCKWARD_BINARY to the lockward binary to test against");

async function start(capabilities, initializationOptions) {
  const server = spawn(binary, ["lsp"], { stdio: ["pipe", "pipe", "ignore"] });
  const connection = rpc.createMessageConnection(
    new rpc.StreamMessageReader(server.stdout),
    new rpc.StreamMessageWriter(server.stdin),
  );
  return { server, connection, capabilities, initializationOptions };
}

async function initialize(s) {
  s.connection.listen();
  await s.connection.sendRequest(lsp.InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities: s.capabilities,
    initializationOptions: s.initializationOptions,
  });
  await s.connection.sendNotification(lsp.InitializedNotification.type, {});
}

async function stop(s) {
  await s.connection.sendRequest(lsp.ShutdownRequest.type);
  await s.connection.sendNotification(lsp.ExitNotification.type);
  const code = await new Promise((resolve) => s.server.on("exit", resolve));
  assert.strictEqual(code, 0);
  s.connection.dispose();
}

test("pulled diagnostics: the server asks for a refresh when the shown findings move", async () => {
  const s = await start(
    { textDocument: { diagnostic: { dynamicRegistration: false } }, workspace: { diagnostics: { refreshSupport: true } } },
    { debounceMs: 0, maxDiagnostics: 3 },
  );
  let refreshed;
  const refresh = new Promise((resolve) => (refreshed = resolve));
  s.connection.onRequest(lsp.DiagnosticRefreshRequest.type, () => {
    refreshed();
    return null;
  });
  await initialize(s);
  const uri = "file:///tmp/lockward-vscode-test/002.sql";
  let text = "";
  for (let i = 0; i < 30; i++) text += `CREATE INDEX i${i} ON t (c);\n`;
  await s.connection.sendNotification(lsp.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: "sql", version: 1, text },
  });
  const first = await s.connection.sendRequest(lsp.DocumentDiagnosticRequest.type, { textDocument: { uri } });
  assert.strictEqual(first.kind, "full");
  assert.strictEqual(first.items[1].range.start.line, 0);
  // The cursor moves to line 26, where findings are hidden: the client is asked to pull again.
  const here = { line: 25, character: 2 };
  await s.connection.sendRequest(lsp.CodeActionRequest.type, {
    textDocument: { uri },
    range: { start: here, end: here },
    context: { diagnostics: [] },
  });
  await refresh;
  const again = await s.connection.sendRequest(lsp.DocumentDiagnosticRequest.type, {
    textDocument: { uri },
    previousResultId: first.resultId,
  });
  assert.strictEqual(again.kind, "full");
  assert.ok(again.items[1].range.start.line >= 23, `findings near the cursor, got line ${again.items[1].range.start.line}`);
  await stop(s);
});

test("Trace this migration: progress, status-bar text, upgraded diagnostics", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lockward-vscode-trace-"));
  fs.writeFileSync(path.join(dir, "001_users.sql"), "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n");
  const file = path.join(dir, "002_index.sql");
  const text = "SET lock_timeout = '2s';\nCREATE INDEX users_email_idx ON users (email);\n";
  fs.writeFileSync(file, text);
  const s = await start({ window: { workDoneProgress: true } }, { pgVersion: 15 });
  const progress = [];
  const statuses = [];
  const diagnostics = [];
  s.connection.onRequest(lsp.WorkDoneProgressCreateRequest.type, () => null);
  s.connection.onUnhandledProgress((p) => progress.push(p.value));  // tokens the server created
  s.connection.onNotification("lockward/traceStatus", (p) => statuses.push(p));
  s.connection.onNotification(lsp.PublishDiagnosticsNotification.type, (p) => diagnostics.push(p));
  await initialize(s);
  const uri = "file://" + file;
  await s.connection.sendNotification(lsp.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: "sql", version: 1, text },
  });
  try {
    // What the extension's lockward.traceMigration command sends.
    const result = await s.connection.sendRequest("workspace/executeCommand", { command: "lockward.trace", arguments: [uri] });
    assert.strictEqual(result.mismatches, 0);
    assert.ok(result.confirmed >= 1, result.summary);
    assert.deepStrictEqual(statuses.map((st) => st.state), ["running", "done"]);
    assert.match(statusText(statuses[0]).text, /tracing/);
    assert.strictEqual(statusText(statuses[1]).text, `$(check) lockward: ${result.confirmed} confirmed`);
    assert.strictEqual(progress[0].kind, "begin");
    assert.ok(progress.some((v) => v.kind === "report" && /statement \d+ of \d+/.test(v.message)));
    assert.strictEqual(progress[progress.length - 1].kind, "end");
    // The diagnostics are published again with the evidence.
    for (let i = 0; i < 100 && !diagnostics.some((d) => d.diagnostics.some((x) => /Confirmed by trace/.test(x.message))); i++) {
      await sleep(50);
    }
    assert.ok(diagnostics.some((d) => d.diagnostics.some((x) => /Confirmed by trace/.test(x.message))), "upgraded diagnostics");
  } finally {
    await stop(s);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
