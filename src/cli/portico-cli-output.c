/* portico-cli-output.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-cli"

#include "config.h"

#include <stdarg.h>

#include <glib/gi18n.h>

#include "portico-cli-output.h"

void
portico_cli_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

int
portico_cli_fail (const GError *error)
{
  g_printerr ("portico-cli: %s\n", error->message);
  return PORTICO_CLI_EXIT_FAILED;
}

int
portico_cli_usage_error (const char *format,
                         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("portico-cli: %s\n", message);
  g_printerr ("%s\n", _("Run 'portico-cli --help' for usage."));
  return PORTICO_CLI_EXIT_USAGE;
}
