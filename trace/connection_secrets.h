// Credentials out of messages. A connection string's passwords are found by lockward's own
// reading of the string: libpq quotes pieces of a string back exactly when it cannot parse
// it (`invalid percent-encoded token: "Pa55%word"`), and a pattern cannot recognise a bare
// token. Tolerant of malformed strings for the same reason.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lockward::trace {

// Shorter secrets are masked only where they stand in a connection string (the patterns of
// scrub_credentials): masking every "ab" in a message would garble it.
inline constexpr std::size_t kMinSecretLength = 4;

// Every password in `conninfo` — URI user info (postgres:// and postgresql://, read both as
// libpq does, up to the first '@', and up to the last), `?password=`/`&password=` in a URI's
// query, keyword/value `password=…` (quoted or not) — each as written, decoded (percent
// decoding, quote unescaping) and percent-encoded; and $PGPASSWORD.
std::vector<std::string> connection_secrets(std::string_view conninfo);

// Masks passwords in connection strings and URLs (postgres://user:secret@…, password=…).
std::string scrub_credentials(std::string text);

// `text` with every occurrence of each secret (kMinSecretLength or longer, longest first)
// masked as ***, then scrub_credentials' patterns.
std::string scrub_credentials(std::string text, const std::vector<std::string>& secrets);

}  // namespace lockward::trace
