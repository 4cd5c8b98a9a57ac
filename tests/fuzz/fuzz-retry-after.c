/* fuzz-retry-after.c: Retry-After parsing (delta-seconds or an HTTP date,
 * portico_http_parse_retry_after) and the backoff it feeds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "portico-http.h"
#include "fuzz-common.h"

/* Fixed clocks, so that a crashing input replays the same way: the epoch,
 * a date in 2026, and the last second GDateTime can hold. */
static const gint64 clocks[] = { 0, G_GINT64_CONSTANT (1780000000), G_GINT64_CONSTANT (253402300799) };

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;

  portico_fuzz_init ();
  text = portico_fuzz_dup_string (data, size);

  for (guint i = 0; i < G_N_ELEMENTS (clocks); i++)
    {
      guint64 delay_ms = G_MAXUINT64;

      if (portico_http_parse_retry_after (text, clocks[i], &delay_ms))
        g_assert_cmpuint (delay_ms, !=, G_MAXUINT64);
    }

  /* The first bytes as an attempt number and a base delay: the backoff
   * never exceeds its cap, whatever the attempt. */
  if (size >= 2)
    {
      guint64 max_ms = 60000;
      guint64 base_ms = 1 + data[1] * 100;
      guint64 delay = portico_http_backoff_ms (data[0], base_ms, max_ms);

      g_assert_cmpuint (delay, <=, max_ms);
    }
  return 0;
}
