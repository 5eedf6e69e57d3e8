// The C API of the snappy library (Debian: libsnappy-dev).
#include <snappy-c.h>
