// libFuzzer's entry point for programs that have their own main (compiler-rt's FuzzerInterface.h). SwiftPM links every
// Swift executable with `main` renamed from `<module>_main`, so libFuzzer's own `main` cannot be used: each target's
// @main calls this instead.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
