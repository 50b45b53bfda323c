#include "trace/image_reference.h"

#include <regex>

namespace lockward::trace {

std::string image_reference_error(const std::string& reference) {
  if (reference.empty()) return "the image reference is empty";
  if (reference.size() > 512) return "the image reference is longer than 512 characters";
  if (reference[0] == '-') return "an image reference cannot start with '-' (the CLI would read it as an option)";
  for (char c : reference) {
    auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u >= 0x7f) return "an image reference cannot contain whitespace or control characters";
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                   c == '_' || c == '-' || c == '/' || c == ':' || c == '@';
    if (!allowed) return std::string("an image reference cannot contain '") + c + "'";
  }
  // The distribution reference grammar (github.com/distribution/reference), sha256 digests only.
  static const std::regex grammar(
      R"(^(?:((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?)/)?)"
      R"(([a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*))"
      R"((?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?)"
      R"((?:@sha256:[0-9a-f]{64})?$)");
  std::smatch m;
  if (!std::regex_match(reference, m, grammar)) {
    if (reference.find('@') != std::string::npos && reference.find("@sha256:") == std::string::npos)
      return "only sha256 digests are accepted (name@sha256:<64 hex digits>)";
    return "not an image reference of the form [registry[:port]/]name[:tag][@sha256:<64 hex>] "
           "(the repository path is lowercase)";
  }
  // Without a '.', ':' or "localhost" the first component is part of the path, not a
  // registry, and so must be lowercase too.
  std::string registry = m[1].str();
  if (!registry.empty() && registry.find_first_of(".:") == std::string::npos && registry != "localhost") {
    for (char c : registry)
      if (c >= 'A' && c <= 'Z') return "the repository path must be lowercase";
  }
  if (m[2].length() > 255) return "the repository name is longer than 255 characters";
  return "";
}

std::string default_postgres_image(int major) { return "postgres:" + std::to_string(major) + "-alpine"; }

}  // namespace lockward::trace
