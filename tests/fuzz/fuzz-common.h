/* fuzz-common.h: what every fuzz harness shares.
 *
 * Each harness defines LLVMFuzzerTestOneInput(). Built with -Dfuzzing=true
 * (clang) it links libFuzzer; in every other build it links
 * fuzz-replay-main.c, which feeds it each file of the seed corpus, so the
 * corpus (seeds and every input that once crashed) is a regression test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

G_BEGIN_DECLS

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* Makes criticals and warnings fatal (a json-glib critical on a provider's
 * answer is a bug the fuzzer should report) and silences debug output.
 * Idempotent; every harness calls it first. */
void portico_fuzz_init (void);

/* The input as a NUL-terminated string (the parsers under test take C
 * strings); freed by the caller. */
char *portico_fuzz_dup_string (const uint8_t *data,
                               size_t         size);

G_END_DECLS
