/* fuzz-link.c: the Link-header parser (portico_http_parse_link_next), which
 * reads a header the provider controls on every page of Link pagination.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "portico-http.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_autofree char *next = NULL;

  portico_fuzz_init ();
  text = portico_fuzz_dup_string (data, size);
  next = portico_http_parse_link_next (text);

  /* The target is the text between one '<' and the next '>', stripped:
   * never empty, never longer than the header, never holding a '>'. */
  if (next != NULL)
    {
      g_assert_cmpuint (strlen (next), >, 0);
      g_assert_cmpuint (strlen (next), <=, strlen (text));
      g_assert_null (strchr (next, '>'));
      g_assert_nonnull (strstr (text, next));
    }
  return 0;
}
