// The extension's own logic, free of the vscode module so that it can be unit-tested.
import * as fs from "fs";
import * as path from "path";

export interface TraceStatus {
  uri: string;
  state: "running" | "done" | "failed" | "cancelled";
  message: string;
  pgVersion?: string;
  confirmed?: number;
  mismatches?: number;
  errors?: number;
  traceOnly?: number;
  seconds?: number;
}

// The status-bar text and tooltip for a trace status notification.
export function statusText(status: TraceStatus): { text: string; tooltip: string } {
  switch (status.state) {
    case "running":
      return { text: "$(sync~spin) lockward: tracing", tooltip: status.message };
    case "done": {
      const bad = (status.mismatches ?? 0) + (status.errors ?? 0);
      const icon = bad > 0 ? "$(warning)" : "$(check)";
      const text = `${icon} lockward: ${status.confirmed ?? 0} confirmed` + (bad > 0 ? `, ${bad} to check` : "");
      return { text, tooltip: status.message };
    }
    case "failed":
      return { text: "$(error) lockward: trace failed", tooltip: status.message };
    case "cancelled":
      return { text: "lockward: trace cancelled", tooltip: status.message };
  }
}

// The lockward binary: the configured path if set; else the one shipped inside a platform
// .vsix (`bundled`: <extension>/server/lockward, absent from the universal .vsix); else the
// first `lockward` on PATH.
export function resolveServerPath(
  configured: string | undefined,
  bundled: string | undefined,
  envPath: string | undefined,
  exists: (p: string) => boolean = (p) => fs.existsSync(p),
): string | undefined {
  if (configured && configured.trim() !== "") return exists(configured) ? configured : undefined;
  if (bundled && exists(bundled)) return bundled;
  for (const dir of (envPath ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, "lockward");
    if (exists(candidate)) return candidate;
  }
  return undefined;
}

// The "lockward" settings section as the server reads it: unset (null) values are dropped
// so the server falls back to .lockward.toml and its defaults.
export function serverSettings(section: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(section)) {
    if (value === null || value === undefined || key === "path" || key === "trace") continue;
    out[key] = value;
  }
  return out;
}
