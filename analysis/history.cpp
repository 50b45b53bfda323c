#include "analysis/history.h"

#include <algorithm>

namespace lockward::analysis {

namespace {
bool before(const std::pair<std::uint64_t, std::string>& entry, std::uint64_t place) { return entry.first < place; }
}  // namespace

void History::add(const std::string& key, std::uint64_t place, std::string value) {
  auto& v = entries_[key];
  // Usually appended: places grow along the file.
  auto at = std::lower_bound(v.begin(), v.end(), place + 1, before);
  v.insert(at, {place, std::move(value)});
}

bool History::any_before(const std::string& key, std::uint64_t place) const {
  auto it = entries_.find(key);
  return it != entries_.end() && !it->second.empty() && it->second.front().first < place;
}

const std::string* History::latest_before(const std::string& key, std::uint64_t place) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  auto at = std::lower_bound(it->second.begin(), it->second.end(), place, before);
  return at == it->second.begin() ? nullptr : &std::prev(at)->second;
}

void History::remove(const std::string& key, std::uint64_t place) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  auto& v = it->second;
  auto at = std::lower_bound(v.begin(), v.end(), place, before);
  if (at != v.end() && at->first == place) v.erase(at);
  if (v.empty()) entries_.erase(it);
}

}  // namespace lockward::analysis
