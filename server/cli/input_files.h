// Turns command-line paths (files, directories, globs) into an ordered list of migration
// files, and reads them. Errors are values: the caller reports them per path.
#pragma once

#include <string>
#include <vector>

namespace lockward::server {

struct InputFile {
  std::string path;
  std::string error;  // non-empty when the path matched nothing or could not be listed
};

// Directories contribute their *.sql files recursively, in name order (migration order);
// globs are expanded with glob(3); plain files are taken as given ("-", standard input, too).
std::vector<InputFile> collect_input_files(const std::vector<std::string>& paths);

// Reads a whole file; returns false and sets `error` on failure.
bool read_file(const std::string& path, std::string& contents, std::string& error);
// Reads standard input to its end (`lockward check -`).
bool read_stdin(std::string& contents, std::string& error);

}  // namespace lockward::server
