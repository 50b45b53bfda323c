// Checks a container image reference before it goes into a `docker run` argument vector:
// [registry[:port]/]path[:tag][@sha256:<64 hex>], the grammar of the distribution spec.
// Anything else (whitespace, a leading '-' that the CLI would read as an option, shell or
// template characters, uppercase in the repository path) is refused with the reason.
#pragma once

#include <string>

namespace lockward::trace {

// "" when `reference` is a valid image reference, else why it is not.
std::string image_reference_error(const std::string& reference);

// The image the docker provider uses by default for a PostgreSQL major version.
std::string default_postgres_image(int major);

}  // namespace lockward::trace
