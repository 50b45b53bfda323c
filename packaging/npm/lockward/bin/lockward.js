#!/usr/bin/env node
// The lockward launcher: finds the binary in the platform package npm installed beside this
// one (@lockward/<os>-<cpu>, an optional dependency) and runs it with the same arguments,
// standard streams and exit status. The binary does all the work.
"use strict";
const { spawnSync } = require("child_process");
const path = require("path");
const fs = require("fs");

const platformPackage = `@lockward/${process.platform}-${process.arch}`;

function fail(message) {
  process.stderr.write(`lockward: ${message}\n`);
  process.exit(127);
}

function findBinary() {
  let manifestPath;
  try {
    manifestPath = require.resolve(`${platformPackage}/package.json`);
  } catch {
    fail(
      `no lockward binary for ${process.platform}-${process.arch}: the package ${platformPackage} is not installed.\n` +
        "Prebuilt binaries exist for linux-x64 only. If you are on linux-x64, reinstall without --no-optional\n" +
        "(npm install lockward); elsewhere, build lockward from source or install the Debian package.",
    );
  }
  const manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8"));
  return { binary: path.join(path.dirname(manifestPath), "bin", "lockward"), manifest };
}

const { binary, manifest } = findBinary();
if (!fs.existsSync(binary)) fail(`${binary} is missing; reinstall ${platformPackage}.`);

const result = spawnSync(binary, process.argv.slice(2), { stdio: "inherit" });
if (result.error) fail(`could not run ${binary}: ${result.error.message}`);
if (result.signal) {
  process.kill(process.pid, result.signal);  // die the same way the binary did
  process.exit(128);
}
if (result.status === 127) {
  // lockward itself never exits 127: the dynamic loader does when a shared library is missing
  // (its own message, printed just above, names the library).
  const depends = manifest?.lockward?.runtimeDepends;
  fail(
    "the binary could not start, most likely because a shared library it links is missing.\n" +
      (depends
        ? `It was built on Debian 12 and needs these Debian packages: ${depends}\n` +
          "(Debian 12: apt install them; elsewhere, install the Debian package or build from source)."
        : "Install libpq, spdlog, toml++ and mimalloc, or build lockward from source."),
  );
}
process.exit(result.status ?? 1);
