// VS Code extension: starts `lockward lsp`, forwards settings, shows trace status, and adds
// the Trace / Restart / Show output commands. All analysis happens in the server.
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";
import { resolveServerPath, serverSettings, statusText, TraceStatus } from "./logic";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;
let bundled: string | undefined;  // <extension>/server/lockward in a platform .vsix

function settings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration("lockward");
  const section: Record<string, unknown> = {};
  for (const key of Object.keys(config)) {
    if (typeof (config as unknown as Record<string, unknown>)[key] !== "function") section[key] = config.get(key);
  }
  return serverSettings(section);
}

async function start(): Promise<void> {
  const configured = vscode.workspace.getConfiguration("lockward").get<string>("path");
  const command = resolveServerPath(configured, bundled, process.env.PATH);
  if (!command) {
    const message = configured
      ? `lockward: ${configured} does not exist (setting lockward.path).`
      : "lockward: the lockward binary is not on PATH; set lockward.path.";
    void vscode.window.showErrorMessage(message);
    return;
  }
  const serverOptions: ServerOptions = { command, args: ["lsp"] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "sql" },
      { scheme: "file", language: "pgsql" },
      { scheme: "untitled", language: "sql" },
      { scheme: "file", pattern: "**/*.sql" },
    ],
    initializationOptions: settings(),
    outputChannel: output,
    synchronize: {
      configurationSection: "lockward",
      fileEvents: vscode.workspace.createFileSystemWatcher("**/.lockward.toml"),
    },
  };
  client = new LanguageClient("lockward", "lockward", serverOptions, clientOptions);
  await client.start();
  client.onNotification("lockward/traceStatus", (params: TraceStatus) => {
    const { text, tooltip } = statusText(params);
    status.text = text;
    status.tooltip = tooltip;
    status.show();
  });
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("lockward");
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 10);
  status.command = "lockward.showOutput";
  bundled = path.join(context.extensionPath, "server", "lockward");
  if (fs.existsSync(bundled)) {
    // An unzip that drops the mode bits leaves the binary unrunnable; give it back its x bits.
    try {
      fs.accessSync(bundled, fs.constants.X_OK);
    } catch {
      fs.chmodSync(bundled, 0o755);
    }
  }
  context.subscriptions.push(output, status);
  context.subscriptions.push(
    vscode.commands.registerCommand("lockward.traceMigration", async () => {
      const editor = vscode.window.activeTextEditor;
      if (!client || !editor) return;
      await client.sendRequest("workspace/executeCommand", {
        command: "lockward.trace",
        arguments: [editor.document.uri.toString()],
      });
    }),
    vscode.commands.registerCommand("lockward.restartServer", async () => {
      if (client) await client.stop();
      await start();
    }),
    vscode.commands.registerCommand("lockward.showOutput", () => output.show()),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
}
