// zlib: compression of archive objects and reading of gzip-compressed datasets.
#include <zlib.h>
