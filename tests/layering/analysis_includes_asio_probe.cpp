// Forbidden: analysis/ does no I/O of its own.
#include <boost/asio.hpp>
