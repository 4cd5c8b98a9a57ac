/* portico-cli-custom.c: importing, exporting, deleting and checking custom
 * connector definitions from the command line, through the engine.
 *
 * An import shows the hosts the connector will send credentials to and
 * asks before saving: --yes answers for scripts, a terminal gets the
 * question, and anything else (a pipe, a closed stdin) is refused so that
 * nothing is added unseen.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "portico-cli-custom.h"
#include "portico-cli-output.h"
#include "portico-engine-custom.h"


static char *
account_names (JsonArray *accounts)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  g_auto(GStrv) list = NULL;

  for (guint i = 0; i < json_array_get_length (accounts); i++)
    g_strv_builder_add (names, json_object_get_string_member_with_default (
                          json_array_get_object_element (accounts, i), "name", "?"));
  list = g_strv_builder_end (names);
  return g_strjoinv (", ", list);
}

/* Asks on the terminal; FALSE for anything but yes. */
static gboolean
ask_yes (const char *question)
{
  char line[64] = "";

  g_print ("%s ", question);
  fflush (stdout);
  if (fgets (line, sizeof line, stdin) == NULL)
    return FALSE;
  g_strstrip (line);
  return g_ascii_strcasecmp (line, "y") == 0 || g_ascii_strcasecmp (line, "yes") == 0 ||
         g_ascii_strcasecmp (line, _("y")) == 0 || g_ascii_strcasecmp (line, _("yes")) == 0;
}

static int
cmd_import (const char         *path,
            gboolean            yes,
            gboolean            json,
            PorticoCliGetEngine get_engine,
            gpointer            data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(PorticoConnector) checked = NULL;
  g_autoptr(PorticoConnector) saved = NULL;
  g_autoptr(JsonArray) accounts = NULL;
  g_auto(GStrv) hosts = NULL;
  PorticoConnector *existing;
  PorticoEngine *engine;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("portico-cli: %s\n", error->message);
      return PORTICO_CLI_EXIT_FAILED;
    }

  engine = get_engine (data, &error);
  if (engine == NULL)
    return portico_cli_fail (error);

  checked = portico_engine_check_custom_connector (engine, contents, (gssize) length, path, &error);
  if (checked == NULL)
    {
      g_printerr ("portico-cli: %s\n", error->message);
      g_printerr ("portico-cli: %s\n", _("Nothing was imported."));
      return PORTICO_CLI_EXIT_FAILED;
    }

  hosts = portico_connector_dup_credential_hosts (checked);
  existing = portico_catalog_lookup (portico_engine_get_catalog (engine),
                                     portico_connector_get_id (checked));
  if (existing != NULL)
    {
      accounts = portico_engine_list_connector_accounts (engine, portico_connector_get_id (checked), &error);
      if (accounts == NULL)
        return portico_cli_fail (error);
    }

  if (!json || !yes)
    {
      /* What the admin agrees to, before anything is saved. With --json the
       * document goes to stdout, so the question and the hosts go to stderr. */
      FILE *out = json ? stderr : stdout;
      g_autofree char *intro = g_strdup_printf (_("“%s” (%s) will send the credentials you enter to:"),
                                                portico_connector_get_name (checked),
                                                portico_connector_get_id (checked));

      fprintf (out, "%s\n", intro);
      for (guint i = 0; hosts[i] != NULL; i++)
        fprintf (out, "  %s\n", hosts[i]);
      if (existing != NULL)
        {
          g_autofree char *names = account_names (accounts);

          if (json_array_get_length (accounts) > 0)
            fprintf (out, _("It replaces your custom connector “%s”, which these accounts use: %s.\n"),
                     portico_connector_get_name (existing), names);
          else
            fprintf (out, _("It replaces your custom connector “%s”.\n"),
                     portico_connector_get_name (existing));
        }
      fflush (out);
    }

  if (!yes)
    {
      if (json || !isatty (STDIN_FILENO))
        {
          g_printerr ("portico-cli: %s\n",
                      _("Nothing was imported: confirm with --yes, or run the command in a terminal to answer the question."));
          return PORTICO_CLI_EXIT_FAILED;
        }
      if (!ask_yes (_("Import it? [y/N]")))
        {
          g_printerr ("portico-cli: %s\n", _("Nothing was imported."));
          return PORTICO_CLI_EXIT_FAILED;
        }
    }

  saved = portico_engine_save_custom_connector (engine, contents, (gssize) length, path, &error);
  if (saved == NULL)
    return portico_cli_fail (error);

  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, portico_connector_get_id (saved));
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, portico_connector_get_name (saved));
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, portico_connector_get_origin (saved));
      json_builder_set_member_name (b, "hosts");
      json_builder_begin_array (b);
      for (guint i = 0; hosts[i] != NULL; i++)
        json_builder_add_string_value (b, hosts[i]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "replaced");
      json_builder_add_boolean_value (b, existing != NULL);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      portico_cli_print_json (root);
    }
  else
    {
      g_print (_("Imported “%s” as %s; it is in the catalog now.\n"),
               portico_connector_get_name (saved), portico_connector_get_id (saved));
    }
  return PORTICO_CLI_EXIT_OK;
}

static int
cmd_export (const char         *connector_id,
            const char         *output,
            PorticoCliGetEngine get_engine,
            gpointer            data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  PorticoEngine *engine;
  gsize length;
  const char *contents;

  engine = get_engine (data, &error);
  if (engine == NULL)
    return portico_cli_fail (error);

  bytes = portico_engine_export_connector (engine, connector_id, &error);
  if (bytes == NULL)
    return portico_cli_fail (error);

  contents = g_bytes_get_data (bytes, &length);
  if (output != NULL && !g_str_equal (output, "-"))
    {
      if (!g_file_set_contents_full (output, contents, (gssize) length,
                                     G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
        return portico_cli_fail (error);
      return PORTICO_CLI_EXIT_OK;
    }

  if (length > 0 && fwrite (contents, 1, length, stdout) != length)
    {
      g_printerr ("portico-cli: %s\n", _("The definition could not be written to standard output."));
      return PORTICO_CLI_EXIT_FAILED;
    }
  fflush (stdout);
  return PORTICO_CLI_EXIT_OK;
}

static int
cmd_delete (const char         *connector_id,
            PorticoCliGetEngine get_engine,
            gpointer            data)
{
  g_autoptr(GError) error = NULL;
  PorticoEngine *engine;

  engine = get_engine (data, &error);
  if (engine == NULL)
    return portico_cli_fail (error);
  if (!portico_engine_delete_custom_connector (engine, connector_id, &error))
    return portico_cli_fail (error);
  g_print (_("Deleted the custom connector %s.\n"), connector_id);
  return PORTICO_CLI_EXIT_OK;
}

/* `connectors check FILE`: every problem an import would refuse, each as
 * "POINTER: MESSAGE" (the editor's field-level checks for a file). */
static int
cmd_check (const char         *path,
           gboolean            json,
           PorticoCliGetEngine get_engine,
           gpointer            data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *contents = NULL;
  PorticoEngine *engine;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    return portico_cli_fail (error);

  engine = get_engine (data, &error);
  if (engine == NULL)
    return portico_cli_fail (error);

  problems = portico_engine_check_draft (engine, contents, (gssize) length);
  if (json)
    {
      g_autoptr(JsonArray) array = json_array_new ();
      g_autoptr(JsonNode) root = NULL;

      for (guint i = 0; i < problems->len; i++)
        {
          const PorticoDraftProblem *problem = g_ptr_array_index (problems, i);
          JsonObject *object = json_object_new ();

          json_object_set_string_member (object, "pointer", problem->pointer);
          json_object_set_string_member (object, "message", problem->message);
          json_array_add_object_element (array, object);
        }
      root = json_node_init_array (json_node_alloc (), array);
      portico_cli_print_json (root);
    }
  else if (problems->len == 0)
    g_print (_("%s can be imported.\n"), path);
  else
    {
      for (guint i = 0; i < problems->len; i++)
        {
          const PorticoDraftProblem *problem = g_ptr_array_index (problems, i);

          /* "" is the whole file: the message says where (line, character). */
          if (*problem->pointer == '\0')
            g_print ("%s\n", problem->message);
          else
            g_print ("%s: %s\n", problem->pointer, problem->message);
        }
    }

  return problems->len == 0 ? PORTICO_CLI_EXIT_OK : PORTICO_CLI_EXIT_FAILED;
}

int
portico_cli_custom_run (int                 argc,
                        char              **argv,
                        PorticoCliGetEngine get_engine,
                        gpointer            data)
{
  const char *sub = argv[0];
  const char *positional = NULL;
  const char *output = NULL;
  gboolean yes = FALSE, json = FALSE;
  g_autofree char *command = g_strconcat ("connectors ", sub, NULL);

  if (!g_str_equal (sub, "import") && !g_str_equal (sub, "export") && !g_str_equal (sub, "delete") &&
      !g_str_equal (sub, "check"))
    return portico_cli_usage_error (_("“%s” is not a connectors command; use import, export, delete, check or try."), sub);

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      if (g_str_equal (arg, "--yes") && (g_str_equal (sub, "import") || g_str_equal (sub, "delete")))
        yes = TRUE;
      else if (g_str_equal (arg, "--json") && (g_str_equal (sub, "import") || g_str_equal (sub, "check")))
        json = TRUE;
      else if (g_str_equal (sub, "export") && g_str_equal (arg, "--output"))
        {
          if (i + 1 >= argc || argv[i + 1][0] == '\0')
            return portico_cli_usage_error (_("The option --output needs a file name."));
          output = argv[++i];
        }
      else if (g_str_equal (sub, "export") && g_str_has_prefix (arg, "--output="))
        {
          output = arg + strlen ("--output=");
          if (*output == '\0')
            return portico_cli_usage_error (_("The option --output needs a file name."));
        }
      else if (arg[0] == '-' && arg[1] != '\0')
        return portico_cli_usage_error (_("The option “%s” is unknown for “%s”."), arg, command);
      else if (positional == NULL)
        positional = arg;
      else
        return portico_cli_usage_error (_("“%s” takes one argument; “%s” is one too many."), command, arg);
    }

  if (g_str_equal (sub, "import"))
    {
      if (positional == NULL)
        return portico_cli_usage_error (_("“connectors import” needs the FILE to import."));
      return cmd_import (positional, yes, json, get_engine, data);
    }
  if (g_str_equal (sub, "check"))
    {
      if (positional == NULL)
        return portico_cli_usage_error (_("“connectors check” needs the FILE to check."));
      return cmd_check (positional, json, get_engine, data);
    }
  if (positional == NULL)
    return portico_cli_usage_error (_("“%s” needs the id of a connector (see 'portico-cli connectors')."), command);
  if (g_str_equal (sub, "export"))
    return cmd_export (positional, output, get_engine, data);
  if (!yes)
    return portico_cli_usage_error (_("“connectors delete” needs --yes to delete the connector's file."));
  return cmd_delete (positional, get_engine, data);
}
