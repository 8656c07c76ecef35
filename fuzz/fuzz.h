/* SPDX-License-Identifier: MIT */
/* fuzz.h - the entry points libFuzzer calls, declared for -Wmissing-prototypes. */
#ifndef APPSH_FUZZ_FUZZ_H
#define APPSH_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
