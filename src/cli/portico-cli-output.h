/* portico-cli-output.h: what every portico-cli command prints the same way:
 * its JSON document, a failure and a usage error (SPEC 9: one sentence on
 * stderr, exit status 1 or 2).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

enum
{
  PORTICO_CLI_EXIT_OK = 0,
  PORTICO_CLI_EXIT_FAILED = 1,
  PORTICO_CLI_EXIT_USAGE = 2,
};

/* Pretty-printed, two-space indent, on stdout. */
void portico_cli_print_json (JsonNode *node);
/* "portico-cli: MESSAGE" on stderr; returns PORTICO_CLI_EXIT_FAILED. */
int portico_cli_fail (const GError *error);
/* The sentence and where to find the usage, on stderr; returns PORTICO_CLI_EXIT_USAGE. */
int portico_cli_usage_error (const char *format,
                             ...) G_GNUC_PRINTF (1, 2);

G_END_DECLS
