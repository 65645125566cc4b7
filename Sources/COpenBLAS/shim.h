// OpenBLAS's CBLAS and LAPACKE interfaces: the oracle and speed peer of Reprise's kernels (never used by the product's arithmetic).
#include <cblas.h>
