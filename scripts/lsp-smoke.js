#!/usr/bin/env node
// An LSP round-trip against an installed lockward, with nothing but Node.js: initialize,
// initialized, didOpen of a migration with a blocking CREATE INDEX, wait for its
// publishDiagnostics, shutdown, exit. Usage: node scripts/lsp-smoke.js PATH_TO_LOCKWARD
// Exit 0 when the server answered, reported the create-index finding and exited with 0.
"use strict";
const { spawn } = require("child_process");

const binary = process.argv[2];
if (!binary) {
  console.error("usage: lsp-smoke.js PATH_TO_LOCKWARD");
  process.exit(2);
}
const timer = setTimeout(() => {
  console.error("lsp-smoke: no answer within 20 s");
  process.exit(1);
}, 20000);

const server = spawn(binary, ["lsp"], { stdio: ["pipe", "pipe", "inherit"] });
server.on("error", (e) => {
  console.error(`lsp-smoke: cannot start ${binary}: ${e.message}`);
  process.exit(1);
});

function send(message) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message }), "utf8");
  server.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
  server.stdin.write(body);
}

// Frames: "Content-Length: N\r\n\r\n" then N bytes of JSON.
const waiting = new Map();  // id or method → resolve
let buffer = Buffer.alloc(0);
server.stdout.on("data", (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const end = buffer.indexOf("\r\n\r\n");
    if (end < 0) return;
    const length = Number(/Content-Length: *(\d+)/i.exec(buffer.subarray(0, end).toString())?.[1]);
    if (!Number.isFinite(length) || buffer.length < end + 4 + length) return;
    const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString("utf8"));
    buffer = buffer.subarray(end + 4 + length);
    const key = message.method ?? message.id;
    if (message.method && message.id !== undefined) send({ id: message.id, result: null });  // server→client request
    const resolve = waiting.get(key);
    if (resolve) {
      waiting.delete(key);
      resolve(message);
    }
  }
});
const next = (key) => new Promise((resolve) => waiting.set(key, resolve));
const request = (id, method, params) => {
  const answer = next(id);
  send({ id, method, params });
  return answer;
};

(async () => {
  const init = await request(1, "initialize", { processId: process.pid, rootUri: null, capabilities: {} });
  if (init.result?.serverInfo?.name !== "lockward") throw new Error(`initialize: ${JSON.stringify(init)}`);
  send({ method: "initialized", params: {} });
  const published = next("textDocument/publishDiagnostics");
  const uri = "file:///tmp/lockward-lsp-smoke/001_index.sql";
  send({
    method: "textDocument/didOpen",
    params: { textDocument: { uri, languageId: "sql", version: 1, text: "CREATE INDEX i ON users (email);\n" } },
  });
  const diagnostics = (await published).params.diagnostics;
  const index = diagnostics.find((d) => d.code === "create-index");
  if (!index) throw new Error(`no create-index diagnostic: ${JSON.stringify(diagnostics)}`);
  const shutdown = await request(2, "shutdown", null);
  if (shutdown.error) throw new Error(`shutdown: ${JSON.stringify(shutdown.error)}`);
  const exited = new Promise((resolve) => server.on("exit", resolve));
  send({ method: "exit" });
  const code = await exited;
  if (code !== 0) throw new Error(`the server exited with ${code}`);
  clearTimeout(timer);
  console.log(`lsp-smoke: ${binary} lsp: initialize, ${diagnostics.length} diagnostics (${index.message.split(":")[0]}), shutdown OK`);
})().catch((e) => {
  console.error(`lsp-smoke: ${e.message}`);
  process.exit(1);
});
