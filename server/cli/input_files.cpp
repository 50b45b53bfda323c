#include "server/cli/input_files.h"

#include <glob.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace lockward::server {
namespace fs = std::filesystem;

namespace {

void add_directory(const std::string& dir, std::vector<InputFile>& out) {
  std::vector<std::string> found;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && it->path().extension() == ".sql") found.push_back(it->path().string());
  }
  if (ec) {
    out.push_back({dir, "cannot list directory: " + ec.message()});
    return;
  }
  std::sort(found.begin(), found.end());
  if (found.empty()) out.push_back({dir, "no .sql files in directory"});
  for (auto& f : found) out.push_back({std::move(f), ""});
}

}  // namespace

std::vector<InputFile> collect_input_files(const std::vector<std::string>& paths) {
  std::vector<InputFile> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      add_directory(p, out);
    } else if (p.find_first_of("*?[") != std::string::npos && !fs::exists(p, ec)) {
      glob_t g{};
      int rc = glob(p.c_str(), 0, nullptr, &g);
      if (rc == 0) {
        for (std::size_t i = 0; i < g.gl_pathc; ++i) {
          std::string match = g.gl_pathv[i];
          if (fs::is_directory(match, ec)) add_directory(match, out);
          else out.push_back({match, ""});
        }
      } else {
        out.push_back({p, "no file matches this pattern"});
      }
      globfree(&g);
    } else {
      out.push_back({p, ""});
    }
  }
  return out;
}

bool read_file(const std::string& path, std::string& contents, std::string& error) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    error = "is a directory";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::string("cannot open: ") + std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    error = "read error";
    return false;
  }
  contents = ss.str();
  return true;
}

}  // namespace lockward::server
