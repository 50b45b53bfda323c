// analysis/ and protocol/ are pure layers (ARCHITECTURE.md): no I/O library, no threads of
// their own. This header stands in for <libpq-fe.h> on their include path so that including it fails.
#error "a pure layer (analysis/, protocol/) must not include <libpq-fe.h>"
