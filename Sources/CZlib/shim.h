// The system zlib, for gzip-encoded OTLP requests (Foundation on Linux has no gzip).
#include <zlib.h>
