// Facts that flow from a statement to every later one (objects the file created, validated
// NOT NULL checks), each remembered with the place of the statement that added it, so that
// the history as seen from any statement can be asked for, and one statement's entries taken
// back when it is analysed again. Places are any increasing numbers. Plain data.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace lockward::analysis {

class History {
 public:
  void add(const std::string& key, std::uint64_t place, std::string value);
  // Whether `key` was added before `place`.
  bool any_before(const std::string& key, std::uint64_t place) const;
  // The value last added for `key` before `place`, or null.
  const std::string* latest_before(const std::string& key, std::uint64_t place) const;
  void remove(const std::string& key, std::uint64_t place);
  void clear() { entries_.clear(); }

 private:
  std::unordered_map<std::string, std::vector<std::pair<std::uint64_t, std::string>>> entries_;  // by place
};

}  // namespace lockward::analysis
