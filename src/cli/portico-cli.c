/* portico-cli.c: the scriptable front end of the Portico engine.
 *
 * The command line is a stable contract (SPEC 9): exit 0 on success, 1 on a
 * failure, 2 on a usage error; errors are one sentence on stderr; --json
 * prints one document on stdout. Each command is one parser (argv -> a
 * typed struct, usage errors only) and one runner (struct -> exit status).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-cli"

#include "config.h"

#include <inttypes.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <gio/gunixinputstream.h>

#include <unistd.h>

#include "portico-audit.h"
#include "portico-catalog.h"
#include "portico-connector-i18n.h"
#include "portico-engine.h"
#include "portico-engine-custom.h"
#include "portico-engine-profile.h"
#include "portico-format.h"
#include "portico-jwt.h"
#include "portico-oauth.h"
#include "portico-network.h"
#include "portico-notifier.h"
#include "portico-store.h"
#include "portico-sandbox-server.h"

#include "portico-cli-custom.h"
#include "portico-cli-output.h"
#include "portico-cli-table.h"


typedef struct
{
  char *db_path; /* nullable: the GUI's database */
  gboolean demo;
  PorticoStore *store;
  PorticoEngine *engine;
  PorticoSandbox *sandbox; /* --demo */
} Cli;

static const char usage_text[] =
  "Usage:\n"
  "  portico-cli [--db FILE] [--demo] COMMAND [ARGUMENTS]\n"
  "\n"
  "Commands:\n"
  "  connectors [--json]                           the catalog\n"
  "  connectors import FILE [--yes] [--json]       add a custom connector (shows where it\n"
  "                                                sends credentials and asks first)\n"
  "  connectors export ID [--output FILE]          a connector's definition file\n"
  "  connectors delete ID --yes                    remove a custom connector\n"
  "  connectors check FILE [--json]                what an import would refuse in a\n"
  "                                                definition, each at its field\n"
  "  connectors try FILE [--set KEY=VALUE]... [--json]\n"
  "                                                the first page of its users, read\n"
  "                                                and mapped without importing it\n"
  "  test CONNECTOR [--set KEY=VALUE]... [--permission read|act] [--json]\n"
  "          [--report FILE]                       also save a report without secrets\n"
  "  connect CONNECTOR [--set KEY=VALUE]... [--name NAME]\n"
  "          [--permission read|act] [--accept-partial] [--json]\n"
  "      test, connect, reconnect and connectors try also take the sign-in options\n"
  "      [--secret-file FIELD=PATH]... [--no-browser] [--sign-in-timeout SECONDS]\n"
  "  accounts [--json]\n"
  "  sync (ACCOUNT | --all [--scheduled]) [--json]\n"
  "                                                --scheduled (the timer): nothing while\n"
  "                                                offline or metered when not allowed\n"
  "  rename ACCOUNT NEW_NAME\n"
  "  resume ACCOUNT                                scheduled syncs of a paused account\n"
  "                                                run again\n"
  "  apply-held ACCOUNT                            apply a users sync held because too\n"
  "                                                many people would disappear\n"
  "  discard-held ACCOUNT                          keep the current data instead\n"
  "  set ACCOUNT --drift-threshold (PERCENT | default)\n"
  "                                                hold a users sync that would remove\n"
  "                                                more than PERCENT of the people\n"
  "  reconnect ACCOUNT [--set KEY=VALUE]... [--json]\n"
  "  disconnect ACCOUNT (--preview | --yes) [--json]\n"
  "  restore ACCOUNT                               undo a disconnect (for 30 days)\n"
  "  forget ACCOUNT                                delete the credentials a disconnected\n"
  "                                                account keeps; it cannot be restored then\n"
  "  apps | users | licenses | workflows | audit [--json]\n"
  "  attention [--json]                            what Needs attention shows\n"
  "  recommended [--json]                          what Recommended to connect shows\n"
  "  profile export FILE                           accounts, custom connectors and\n"
  "                                                settings, without secrets\n"
  "  profile import FILE [--json]                  the accounts wait for their credentials\n"
  "\n"
  "Options:\n"
  "  --db FILE    use this database instead of the GUI's\n"
  "  --demo       use the demo database\n"
  "  -h, --help   show this help\n"
  "  --version    show the version\n"
  "\n"
  "ACCOUNT is an account id (see 'portico-cli accounts'). Secret fields are never\n"
  "read from the command line: set PORTICO_FIELD_<FIELD_ID> in the environment or\n"
  "write KEY=VALUE lines on standard input.\n"
  "\n"
  "Exit status: 0 success, 1 failure, 2 usage error.\n";

/* ---- Messages ------------------------------------------------------------ */

static PorticoStore *
cli_get_store (Cli     *cli,
               GError **error)
{
  if (cli->store == NULL)
    {
      g_autofree char *path = cli->db_path != NULL
                              ? g_strdup (cli->db_path)
                              : portico_store_default_path (cli->demo);

      cli->store = portico_store_open (path, error);
    }
  return cli->store;
}

/* ---- Argument parsing helpers --------------------------------------------------- */

/* Matches "--name VALUE" and "--name=VALUE"; advances *i past the value. */
static gboolean
match_value_option (const char  *option,
                    int          argc,
                    char       **argv,
                    int         *i,
                    const char **out_value,
                    int         *out_status)
{
  const char *arg = argv[*i];
  gsize len = strlen (option);

  *out_status = PORTICO_CLI_EXIT_OK;
  if (strncmp (arg, option, len) != 0)
    return FALSE;
  if (arg[len] == '=')
    {
      *out_value = arg + len + 1;
      return TRUE;
    }
  if (arg[len] != '\0')
    return FALSE;
  if (*i + 1 >= argc)
    {
      *out_status = portico_cli_usage_error (_("The option %s needs a value."), option);
      return TRUE;
    }
  *i += 1;
  *out_value = argv[*i];
  return TRUE;
}

static int
parse_account_id (const char *command,
                  const char *text,
                  gint64     *out_id)
{
  guint64 value = 0;

  if (text == NULL)
    return portico_cli_usage_error (_("“%s” needs an ACCOUNT id. Run 'portico-cli accounts' to see them."), command);
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return portico_cli_usage_error (_("“%s” is not an account id. Give the number shown by 'portico-cli accounts'."), text);
  *out_id = (gint64) value;
  return PORTICO_CLI_EXIT_OK;
}

static int
unknown_option (const char *command,
                const char *arg)
{
  return portico_cli_usage_error (_("The option “%s” is unknown for “%s”. Remove it."), arg, command);
}

static int
extra_argument (const char *command,
                const char *arg)
{
  return portico_cli_usage_error (_("“%s” does not take the argument “%s”. Remove it."), command, arg);
}

/* Commands that only take --json. */
static int
parse_json_only (const char  *command,
                 int          argc,
                 char       **argv,
                 gboolean    *out_json)
{
  *out_json = FALSE;
  for (int i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        *out_json = TRUE;
      else if (argv[i][0] == '-' && argv[i][1] != '\0')
        return unknown_option (command, argv[i]);
      else
        return extra_argument (command, argv[i]);
    }
  return PORTICO_CLI_EXIT_OK;
}

/* KEY=VALUE pairs from --set; the lead wires them to the engine. */
typedef struct
{
  char *connector_id; /* test, connect */
  gint64 account_id;  /* sync, reconnect */
  gboolean all;       /* sync --all */
  gboolean scheduled; /* sync --all --scheduled: the background timer */
  GPtrArray *set_keys;
  GPtrArray *set_values;
  char *name;
  char *permission;
  gboolean accept_partial;
  gboolean json;
  GPtrArray *file_keys;  /* --secret-file FIELD=PATH */
  GPtrArray *file_paths;
  gboolean no_browser;
  guint sign_in_timeout;
  char *report; /* test --report FILE */
} EngineArgs;

static void
engine_args_clear (EngineArgs *args)
{
  g_clear_pointer (&args->connector_id, g_free);
  g_clear_pointer (&args->set_keys, g_ptr_array_unref);
  g_clear_pointer (&args->set_values, g_ptr_array_unref);
  g_clear_pointer (&args->file_keys, g_ptr_array_unref);
  g_clear_pointer (&args->file_paths, g_ptr_array_unref);
  g_clear_pointer (&args->name, g_free);
  g_clear_pointer (&args->permission, g_free);
  g_clear_pointer (&args->report, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EngineArgs, engine_args_clear)

#define ALLOW_SET        (1 << 0)
#define ALLOW_PERMISSION (1 << 1)
#define ALLOW_NAME       (1 << 2)
#define ALLOW_PARTIAL    (1 << 3)
#define ALLOW_ALL        (1 << 4)
#define ALLOW_SIGN_IN    (1 << 5)
#define ALLOW_REPORT     (1 << 6)

typedef enum
{
  POSITIONAL_CONNECTOR,
  POSITIONAL_ACCOUNT,
  POSITIONAL_FILE, /* kept in connector_id */
} PositionalKind;

static int
parse_engine_args (const char     *command,
                   int             argc,
                   char          **argv,
                   PositionalKind  positional,
                   guint           allowed,
                   EngineArgs     *args)
{
  const char *first = NULL;
  int status;

  args->set_keys = g_ptr_array_new_with_free_func (g_free);
  args->set_values = g_ptr_array_new_with_free_func (g_free);
  args->file_keys = g_ptr_array_new_with_free_func (g_free);
  args->file_paths = g_ptr_array_new_with_free_func (g_free);
  args->sign_in_timeout = PORTICO_SIGN_IN_DEFAULT_TIMEOUT;

  for (int i = 0; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *value = NULL;

      if (g_str_equal (arg, "--json"))
        args->json = TRUE;
      else if ((allowed & ALLOW_PARTIAL) && g_str_equal (arg, "--accept-partial"))
        args->accept_partial = TRUE;
      else if ((allowed & ALLOW_ALL) && g_str_equal (arg, "--all"))
        args->all = TRUE;
      else if ((allowed & ALLOW_ALL) && g_str_equal (arg, "--scheduled"))
        args->scheduled = TRUE;
      else if ((allowed & ALLOW_SIGN_IN) && g_str_equal (arg, "--no-browser"))
        args->no_browser = TRUE;
      else if ((allowed & ALLOW_SIGN_IN) && match_value_option ("--secret-file", argc, argv, &i, &value, &status))
        {
          const char *eq;

          if (status != PORTICO_CLI_EXIT_OK)
            return status;
          eq = strchr (value, '=');
          if (eq == NULL || eq == value || eq[1] == '\0')
            return portico_cli_usage_error (_("The value of --secret-file must look like FIELD=PATH, not “%s”."), value);
          g_ptr_array_add (args->file_keys, g_strndup (value, eq - value));
          g_ptr_array_add (args->file_paths, g_strdup (eq + 1));
        }
      else if ((allowed & ALLOW_SIGN_IN) && match_value_option ("--sign-in-timeout", argc, argv, &i, &value, &status))
        {
          guint64 seconds = 0;

          if (status != PORTICO_CLI_EXIT_OK)
            return status;
          if (!g_ascii_string_to_unsigned (value, 10, 1, 86400, &seconds, NULL))
            return portico_cli_usage_error (_("--sign-in-timeout takes a number of seconds from 1 to 86400, not “%s”."), value);
          args->sign_in_timeout = (guint) seconds;
        }
      else if ((allowed & ALLOW_SET) && match_value_option ("--set", argc, argv, &i, &value, &status))
        {
          const char *eq;

          if (status != PORTICO_CLI_EXIT_OK)
            return status;
          eq = strchr (value, '=');
          if (eq == NULL || eq == value)
            return portico_cli_usage_error (_("The value of --set must look like KEY=VALUE, not “%s”."), value);
          g_ptr_array_add (args->set_keys, g_strndup (value, eq - value));
          g_ptr_array_add (args->set_values, g_strdup (eq + 1));
        }
      else if ((allowed & ALLOW_PERMISSION) && match_value_option ("--permission", argc, argv, &i, &value, &status))
        {
          if (status != PORTICO_CLI_EXIT_OK)
            return status;
          if (!g_str_equal (value, "read") && !g_str_equal (value, "act"))
            return portico_cli_usage_error (_("The permission must be “read” or “act”, not “%s”."), value);
          g_free (args->permission);
          args->permission = g_strdup (value);
        }
      else if ((allowed & ALLOW_REPORT) && match_value_option ("--report", argc, argv, &i, &value, &status))
        {
          if (status != PORTICO_CLI_EXIT_OK)
            return status;
          if (value[0] == '\0')
            return portico_cli_usage_error (_("The option --report needs a file name."));
          g_free (args->report);
          args->report = g_strdup (value);
        }
      else if ((allowed & ALLOW_NAME) && match_value_option ("--name", argc, argv, &i, &value, &status))
        {
          if (status != PORTICO_CLI_EXIT_OK)
            return status;
          g_free (args->name);
          args->name = g_strdup (value);
        }
      else if (arg[0] == '-' && arg[1] != '\0')
        return unknown_option (command, arg);
      else if (first == NULL)
        first = arg;
      else
        return extra_argument (command, arg);
    }

  if (positional == POSITIONAL_FILE)
    {
      if (first == NULL)
        return portico_cli_usage_error (_("“%s” needs the FILE of a connector definition."), command);
      args->connector_id = g_strdup (first);
      return PORTICO_CLI_EXIT_OK;
    }
  if (positional == POSITIONAL_CONNECTOR)
    {
      if (first == NULL)
        return portico_cli_usage_error (_("“%s” needs a CONNECTOR id. Run 'portico-cli connectors' to see them."), command);
      args->connector_id = g_strdup (first);
      return PORTICO_CLI_EXIT_OK;
    }

  if (args->scheduled && !args->all)
    return portico_cli_usage_error (_("--scheduled goes with --all: it is how the background timer syncs every account."));
  if (args->all)
    {
      if (first != NULL)
        return portico_cli_usage_error (_("Give either an ACCOUNT id or --all to “%s”, not both."), command);
      return PORTICO_CLI_EXIT_OK;
    }
  return parse_account_id (command, first, &args->account_id);
}

/* ---- connectors -------------------------------------------------------------- */

static const char *
field_type_name (PorticoFieldType type)
{
  switch (type)
    {
    case PORTICO_FIELD_SECRET: return "secret";
    case PORTICO_FIELD_FILE: return "file";
    case PORTICO_FIELD_URL: return "url";
    case PORTICO_FIELD_EMAIL: return "email";
    case PORTICO_FIELD_CHOICE: return "choice";
    case PORTICO_FIELD_TEXT:
    default: return "text";
    }
}

static void
add_strv (JsonBuilder        *builder,
          const char         *member,
          const char * const *strv)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_array (builder);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (builder, strv[i]);
  json_builder_end_array (builder);
}

static JsonNode *
connector_to_json (PorticoConnector *connector)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_auto(GStrv) permissions = portico_connector_get_permissions (connector);
  g_auto(GStrv) data_types = portico_connector_get_data_types (connector);
  g_auto(GStrv) actions = portico_connector_get_action_ids (connector);
  GPtrArray *fields = portico_connector_get_fields (connector);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, portico_connector_get_id (connector));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, portico_connector_get_name (connector));
  json_builder_set_member_name (builder, "category");
  json_builder_add_string_value (builder, portico_connector_get_category (connector));
  json_builder_set_member_name (builder, "multi_account");
  json_builder_add_boolean_value (builder, portico_connector_get_multi_account (connector));
  json_builder_set_member_name (builder, "custom");
  json_builder_add_boolean_value (builder, portico_connector_is_custom (connector));
  json_builder_set_member_name (builder, "help");
  json_builder_add_string_value (builder, portico_connector_get_help (connector));
  json_builder_set_member_name (builder, "help_url");
  json_builder_add_string_value (builder, portico_connector_get_help_url (connector));
  json_builder_set_member_name (builder, "docs_url");
  if (portico_connector_get_docs_url (connector) != NULL)
    json_builder_add_string_value (builder, portico_connector_get_docs_url (connector));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "fields");
  json_builder_begin_array (builder);
  for (guint i = 0; fields != NULL && i < fields->len; i++)
    {
      const PorticoConnectorField *field = g_ptr_array_index (fields, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, field->id);
      json_builder_set_member_name (builder, "label");
      json_builder_add_string_value (builder, field->label);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, field_type_name (field->type));
      json_builder_set_member_name (builder, "required");
      json_builder_add_boolean_value (builder, field->required);
      json_builder_set_member_name (builder, "secret");
      json_builder_add_boolean_value (builder, portico_connector_field_is_secret (field));
      /* What a script needs to fill the form as the dialog would. */
      json_builder_set_member_name (builder, "help");
      json_builder_add_string_value (builder, field->help != NULL ? field->help : "");
      json_builder_set_member_name (builder, "pattern");
      if (field->pattern != NULL)
        json_builder_add_string_value (builder, field->pattern);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "default");
      if (field->default_value != NULL)
        json_builder_add_string_value (builder, field->default_value);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "choices");
      json_builder_begin_array (builder);
      for (guint k = 0; field->choice_ids != NULL && field->choice_ids[k] != NULL; k++)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, field->choice_ids[k]);
          json_builder_set_member_name (builder, "label");
          json_builder_add_string_value (builder, field->choice_labels[k]);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      add_strv (builder, "permissions", (const char * const *) field->permissions);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  add_strv (builder, "permissions", (const char * const *) permissions);
  add_strv (builder, "data_types", (const char * const *) data_types);
  add_strv (builder, "actions", (const char * const *) actions);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static int
cmd_connectors (Cli      *cli,
                gboolean  json)
{
  g_autoptr(PorticoCatalog) catalog = portico_catalog_new ();
  GPtrArray *problems;
  guint n;

  portico_catalog_load_default (catalog);

  problems = portico_catalog_get_problems (catalog);
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    g_printerr ("portico-cli: %s\n", ((GError *) g_ptr_array_index (problems, i))->message);

  n = g_list_model_get_n_items (G_LIST_MODEL (catalog));

  if (json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(PorticoConnector) connector = g_list_model_get_item (G_LIST_MODEL (catalog), i);
          json_array_add_element (array, connector_to_json (connector));
        }
      json_node_set_array (root, array);
      portico_cli_print_json (root);
    }
  else
    {
      g_autoptr(PorticoCliTable) table = portico_cli_table_new (_("ID"), _("NAME"), _("CATEGORY"),
                                                               _("ACCOUNTS"), _("DATA TYPES"), NULL);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(PorticoConnector) connector = g_list_model_get_item (G_LIST_MODEL (catalog), i);
          g_auto(GStrv) data_types = portico_connector_get_data_types (connector);
          g_autofree char *types = g_strjoinv (",", data_types);

          portico_cli_table_add_row (table,
                                     portico_connector_get_id (connector),
                                     portico_connector_get_name (connector),
                                     portico_connector_get_category (connector),
                                     portico_connector_get_multi_account (connector) ? _("several") : _("one"),
                                     types, NULL);
        }
      portico_cli_table_print (table);
    }

  return PORTICO_CLI_EXIT_OK;
}

/* ---- Store-backed listings ------------------------------------------------------- */

static const char *
member_string (JsonObject *object,
               const char *member,
               char      **out_free)
{
  JsonNode *node = json_object_get_member (object, member);

  *out_free = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return "";
  /* Times the store keeps in UTC, in the user's time zone and format. */
  if (json_node_get_value_type (node) == G_TYPE_STRING &&
      (g_str_equal (member, "time") || g_str_has_suffix (member, "_at")))
    {
      *out_free = portico_format_time (json_node_get_string (node));
      return *out_free;
    }
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node) ? _("yes") : _("no");
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      /* Amounts and counts as the user's locale groups them; ids (an
       * event's or a problem's "account" too) stay as commands take them. */
      if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
        *out_free = g_strdup_printf ("%'.2f", json_node_get_double (node));
      else if (g_str_equal (member, "id") || g_str_equal (member, "account") || g_str_has_suffix (member, "_id"))
        *out_free = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      else
        *out_free = portico_format_count (json_node_get_int (node));
      return *out_free;
    }
  *out_free = json_to_string (node, FALSE);
  return *out_free;
}

static char *
join_strings (JsonArray  *array,
              const char *member)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      const char *text = NULL;

      if (JSON_NODE_HOLDS_OBJECT (node) && member != NULL)
        text = json_object_get_string_member_with_default (json_node_get_object (node), member, NULL);
      else if (json_node_get_value_type (node) == G_TYPE_STRING)
        text = json_node_get_string (node);
      if (text == NULL)
        continue;
      if (s->len > 0)
        g_string_append (s, ", ");
      g_string_append (s, text);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

typedef JsonNode *(*ListFunc) (PorticoStore *store, GError **error);

static JsonNode *
list_audit (PorticoStore *store,
            GError      **error)
{
  JsonNode *events = portico_store_list_audit_events (store, 0, error);

  /* Machine fields stay; each event also gets its sentence. */
  if (events != NULL)
    portico_audit_add_summaries (events);
  return events;
}

/* Prints @root (an array of objects) as a table of @members. A member
 * "x[]" joins an array of strings; "x[].y" joins member y of an array of
 * objects. */
static void
print_rows (JsonNode           *root,
            const char * const *headers,
            const char * const *members)
{
  g_autoptr(GPtrArray) translated = g_ptr_array_new ();
  g_autoptr(PorticoCliTable) table = NULL;
  JsonArray *array = json_node_get_array (root);

  for (guint i = 0; headers[i] != NULL; i++)
    g_ptr_array_add (translated, (gpointer) _(headers[i]));
  g_ptr_array_add (translated, NULL);
  table = portico_cli_table_new_v ((const char * const *) translated->pdata);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);

      for (guint c = 0; members[c] != NULL; c++)
        {
          const char *bracket = strstr (members[c], "[]");

          if (bracket != NULL)
            {
              g_autofree char *name = g_strndup (members[c], bracket - members[c]);
              const char *sub = bracket[2] == '.' ? bracket + 3 : NULL;
              JsonNode *node = json_object_get_member (object, name);

              g_ptr_array_add (cells, join_strings (node != NULL && JSON_NODE_HOLDS_ARRAY (node)
                                                    ? json_node_get_array (node) : NULL, sub));
            }
          else
            {
              char *to_free = NULL;
              const char *text = member_string (object, members[c], &to_free);

              g_ptr_array_add (cells, to_free != NULL ? to_free : g_strdup (text));
            }
        }
      g_ptr_array_add (cells, NULL);
      portico_cli_table_add_row_v (table, (const char * const *) cells->pdata);
    }

  portico_cli_table_print (table);
}

static int
cmd_list (Cli                *cli,
          ListFunc            list,
          gboolean            json,
          const char * const *headers,
          const char * const *members)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  PorticoStore *store;

  store = cli_get_store (cli, &error);
  if (store == NULL)
    return portico_cli_fail (error);

  root = list (store, &error);
  if (root == NULL)
    return portico_cli_fail (error);

  if (json)
    portico_cli_print_json (root);
  else
    print_rows (root, headers, members);
  return PORTICO_CLI_EXIT_OK;
}

static int
cmd_accounts (Cli *cli, gboolean json)
{
  static const char * const headers[] = { N_("ID"), N_("NAME"), N_("CONNECTOR"), N_("STATUS"),
                                          N_("LAST SYNC"), N_("EXTERNAL ID"), N_("DATA TYPES"), NULL };
  static const char * const members[] = { "id", "name", "connector", "status",
                                          "last_sync_at", "external_id", "data_types[].id", NULL };
  return cmd_list (cli, portico_store_list_accounts, json, headers, members);
}

static int
cmd_apps (Cli *cli, gboolean json)
{
  static const char * const headers[] = { N_("ID"), N_("NAME"), N_("USERS"), N_("CONNECTED"), N_("SOURCES"), NULL };
  static const char * const members[] = { "id", "name", "user_count", "connected", "sources[]", NULL };
  return cmd_list (cli, portico_store_list_apps, json, headers, members);
}

static int
cmd_users (Cli *cli, gboolean json)
{
  static const char * const headers[] = { N_("EMAIL"), N_("NAME"), N_("APPS"), NULL };
  static const char * const members[] = { "email", "name", "apps[]", NULL };
  return cmd_list (cli, portico_store_list_users, json, headers, members);
}

static int
cmd_licenses (Cli *cli, gboolean json)
{
  static const char * const headers[] = { N_("APP"), N_("SKU"), N_("TOTAL"), N_("ASSIGNED"), N_("INACTIVE"), NULL };
  static const char * const members[] = { "app", "sku", "total", "assigned", "inactive", NULL };
  return cmd_list (cli, portico_store_list_licenses, json, headers, members);
}

static int
cmd_workflows (Cli *cli, gboolean json)
{
  static const char * const headers[] = { N_("ID"), N_("NAME"), N_("VALID"), N_("INVALID BECAUSE"), NULL };
  static const char * const members[] = { "id", "name", "valid", "invalid_reason", NULL };
  return cmd_list (cli, portico_store_list_workflows, json, headers, members);
}

static int
cmd_audit (Cli *cli, gboolean json)
{
  static const char * const headers[] = { N_("TIME"), N_("ACCOUNT"), N_("EVENT"), N_("SUMMARY"), NULL };
  static const char * const members[] = { "time", "account", "kind", "summary", NULL };
  return cmd_list (cli, list_audit, json, headers, members);
}

/* ---- Engine commands ---------------------------------------------------------------- */

/* @network: the command talks to providers, so demo mode needs its sandbox. */
static PorticoEngine *
cli_get_engine_full (Cli      *cli,
                     gboolean  network,
                     GError  **error)
{
  if (cli->engine == NULL)
    {
      g_autoptr(PorticoCatalog) catalog = portico_catalog_new ();
      g_autoptr(PorticoRuntime) runtime = portico_runtime_new ();
      PorticoStore *store = cli_get_store (cli, error);

      if (store == NULL)
        return NULL;

      portico_catalog_load_default (catalog);
      cli->engine = portico_engine_new (store, catalog, runtime);
      portico_engine_set_demo (cli->engine, cli->demo);
    }
  if (network && portico_engine_get_network_monitor (cli->engine) == NULL)
    {
      /* Demo mode talks to the sandbox on loopback: the machine's network
       * does not matter there. PORTICO_TEST_NETWORK (offline, metered,
       * online) simulates it, as in the app. */
      g_autoptr(GNetworkMonitor) monitor = cli->demo || g_getenv ("PORTICO_TEST_NETWORK") != NULL
                                           ? portico_static_network_monitor_new_from_env () : NULL;

      portico_engine_set_network_monitor (cli->engine, monitor != NULL ? monitor : g_network_monitor_get_default ());
    }
  if (network && cli->demo && cli->sandbox == NULL)
    {
      /* The demo sandbox serves while this command runs, on the same
       * ports as the app's, or the app's own one is used. */
      cli->sandbox = portico_sandbox_new_demo (portico_engine_get_catalog (cli->engine), NULL, error);
      if (cli->sandbox == NULL)
        return NULL;
    }
  return cli->engine;
}

static PorticoEngine *
cli_get_engine (Cli     *cli,
                GError **error)
{
  return cli_get_engine_full (cli, TRUE, error);
}

static PorticoEngine *
cli_get_local_engine (gpointer  cli,
                      GError  **error)
{
  return cli_get_engine_full (cli, FALSE, error);
}

/* The CLI has no main loop of its own: each async call runs one here. */
typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static GAsyncResult *
wait_run (Wait *wait)
{
  if (wait->result == NULL)
    g_main_loop_run (wait->loop);
  return wait->result;
}

static void
wait_clear (Wait *wait)
{
  g_clear_pointer (&wait->loop, g_main_loop_unref);
  g_clear_object (&wait->result);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Wait, wait_clear)

#define WAIT_INIT { g_main_loop_new (NULL, FALSE), NULL }

/* ---- rename, disconnect, attention, recommended ----------------------------------- */

static int
cmd_rename (Cli        *cli,
            gint64      account_id,
            const char *new_name)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  PorticoEngine *engine = cli_get_engine_full (cli, FALSE, &error);

  if (engine == NULL)
    return portico_cli_fail (error);
  portico_engine_rename_async (engine, account_id, new_name, NULL, wait_cb, &wait);
  if (!portico_engine_rename_finish (engine, wait_run (&wait), &error))
    return portico_cli_fail (error);
  return PORTICO_CLI_EXIT_OK;
}

static int
cmd_resume (Cli    *cli,
            gint64  account_id)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  PorticoEngine *engine = cli_get_engine_full (cli, FALSE, &error);

  if (engine == NULL)
    return portico_cli_fail (error);
  portico_engine_resume_async (engine, account_id, NULL, wait_cb, &wait);
  if (!portico_engine_resume_finish (engine, wait_run (&wait), &error))
    return portico_cli_fail (error);
  g_print (_("Resumed: account %" PRId64 " syncs on schedule again.\n"), account_id);
  return PORTICO_CLI_EXIT_OK;
}

static int
cmd_resolve_held (Cli      *cli,
                  gint64    account_id,
                  gboolean  apply)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  PorticoEngine *engine = cli_get_engine_full (cli, FALSE, &error);
  gint64 items;

  if (engine == NULL)
    return portico_cli_fail (error);
  portico_engine_resolve_held_async (engine, account_id, apply, NULL, wait_cb, &wait);
  items = portico_engine_resolve_held_finish (engine, wait_run (&wait), &error);
  if (items < 0)
    return portico_cli_fail (error);
  if (apply)
    g_print (g_dngettext (GETTEXT_PACKAGE, "Applied: account %" PRId64 " now has %'" PRId64 " user.\n",
                          "Applied: account %" PRId64 " now has %'" PRId64 " users.\n", items),
             account_id, items);
  else
    g_print (_("Discarded: account %" PRId64 " keeps its current data.\n"), account_id);
  return PORTICO_CLI_EXIT_OK;
}

static int
cmd_set_drift_threshold (Cli    *cli,
                         gint64  account_id,
                         guint   percent)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  PorticoEngine *engine = cli_get_engine_full (cli, FALSE, &error);

  if (engine == NULL)
    return portico_cli_fail (error);
  portico_engine_set_drift_threshold_async (engine, account_id, percent, NULL, wait_cb, &wait);
  if (!portico_engine_set_drift_threshold_finish (engine, wait_run (&wait), &error))
    return portico_cli_fail (error);
  if (percent == 0)
    g_print (_("Account %" PRId64 " holds a users sync that would remove more than %d%% of the people again (the default).\n"),
             account_id, PORTICO_STORE_HOLD_PERCENT);
  else
    g_print (_("Account %" PRId64 " now holds a users sync that would remove more than %u%% of the people.\n"),
             account_id, percent);
  return PORTICO_CLI_EXIT_OK;
}

static void
print_summary (const PorticoDisconnectSummary *summary,
               gboolean                        applied)
{
  g_autofree char *workflows = NULL;

  workflows = summary->workflows_invalidated != NULL && summary->workflows_invalidated[0] != NULL
              ? g_strjoinv (", ", summary->workflows_invalidated)
              : g_strdup (_("none"));

  g_print (applied ? _("Disconnected. Deleted:\n") : _("Disconnecting will delete:\n"));
  g_print (_("  app users:            %'" PRId64 "\n"), summary->app_users);
  g_print (_("  licenses:             %'" PRId64 "\n"), summary->licenses);
  g_print (_("  custom user details:  %'" PRId64 "\n"), summary->custom_fields);
  g_print (_("  transactions:         %'" PRId64 "\n"), summary->transactions);
  g_print (_("  offboarding configs:  %'" PRId64 "\n"), summary->offboarding_configs);
  g_print (_("Workflows invalidated:  %s\n"), workflows);
  g_print (_("Workflow actions failing: %'" PRId64 "\n"), summary->workflow_actions_failing);
  g_print (_("Other apps affected:    %'" PRId64 "\n"), summary->other_apps_affected);
}

static void
print_restorable_until (PorticoEngine *engine,
                        gint64         account_id)
{
  g_autoptr(JsonNode) restorable = portico_engine_list_restorable (engine, NULL);
  JsonArray *array = restorable != NULL ? json_node_get_array (restorable) : NULL;

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonObject *item = json_array_get_object_element (array, i);

      if (json_object_get_int_member (item, "account") != account_id)
        continue;
      g_print (_("Until %s, “portico-cli restore %" PRId64 "” undoes this; “portico-cli forget %" PRId64 "” deletes its credentials now.\n"),
               json_object_get_string_member (item, "expires_at"), account_id, account_id);
    }
}

static int
cmd_restore (Cli    *cli,
             gint64  account_id)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  PorticoEngine *engine = cli_get_engine_full (cli, FALSE, &error);
  gint64 rows;

  if (engine == NULL)
    return portico_cli_fail (error);
  portico_engine_restore_account_async (engine, account_id, NULL, wait_cb, &wait);
  rows = portico_engine_restore_account_finish (engine, wait_run (&wait), &error);
  if (rows < 0)
    return portico_cli_fail (error);
  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "Restored: account %" PRId64 " is connected again with %'" PRId64 " record put back.\n",
                        "Restored: account %" PRId64 " is connected again with %'" PRId64 " records put back.\n",
                        rows),
           account_id, rows);
  return PORTICO_CLI_EXIT_OK;
}

static int
cmd_forget (Cli    *cli,
            gint64  account_id)
{
  g_autoptr(GError) error = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  PorticoEngine *engine = cli_get_engine_full (cli, FALSE, &error);

  if (engine == NULL)
    return portico_cli_fail (error);
  portico_engine_forget_credentials_async (engine, account_id, NULL, wait_cb, &wait);
  if (!portico_engine_forget_credentials_finish (engine, wait_run (&wait), &error))
    return portico_cli_fail (error);
  /* A revocation at the provider still running is waited for in main (). */
  g_print (_("Forgotten: the credentials of account %" PRId64 " are deleted; it can no longer be restored.\n"),
           account_id);
  return PORTICO_CLI_EXIT_OK;
}

static int
cmd_disconnect (Cli      *cli,
                gint64    account_id,
                gboolean  apply,
                gboolean  json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoDisconnectSummary) summary = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  PorticoEngine *engine = cli_get_engine_full (cli, FALSE, &error);

  if (engine == NULL)
    return portico_cli_fail (error);

  /* The engine does the cascade, the keyring item and its retry flag. */
  if (!apply)
    {
      portico_engine_preview_disconnect_async (engine, account_id, NULL, wait_cb, &wait);
      summary = portico_engine_preview_disconnect_finish (engine, wait_run (&wait), &error);
    }
  else
    {
      portico_engine_disconnect_async (engine, account_id, NULL, wait_cb, &wait);
      summary = portico_engine_disconnect_finish (engine, wait_run (&wait), &error);
    }
  if (summary == NULL)
    return portico_cli_fail (error);

  if (json)
    {
      g_autoptr(JsonNode) node = portico_disconnect_summary_to_json (summary);
      portico_cli_print_json (node);
    }
  else
    {
      print_summary (summary, apply);
      if (apply)
        print_restorable_until (engine, account_id);
    }

  return PORTICO_CLI_EXIT_OK;
}

/* attention and recommended: one engine judgement, printed as JSON or a table. */
static int
cmd_judgement (Cli                *cli,
               gboolean            json,
               gboolean            attention,
               const char * const *headers,
               const char * const *members)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  PorticoEngine *engine = cli_get_engine_full (cli, FALSE, &error);

  if (engine == NULL)
    return portico_cli_fail (error);
  if (attention)
    {
      /* Stale is judged against the sync interval the app uses. */
      portico_engine_list_attention_async (engine, portico_notifier_interval_hours (),
                                           NULL, wait_cb, &wait);
      root = portico_engine_list_attention_finish (engine, wait_run (&wait), &error);
    }
  else
    {
      portico_engine_list_recommended_async (engine, NULL, wait_cb, &wait);
      root = portico_engine_list_recommended_finish (engine, wait_run (&wait), &error);
    }
  if (root == NULL)
    return portico_cli_fail (error);

  if (json)
    portico_cli_print_json (root);
  else
    print_rows (root, headers, members);
  return PORTICO_CLI_EXIT_OK;
}

static int
cmd_attention (Cli      *cli,
               gboolean  json)
{
  static const char * const headers[] = { N_("ACCOUNT"), N_("NAME"), N_("PROBLEM"), N_("MESSAGE"), N_("FIX"), NULL };
  static const char * const members[] = { "account", "account_name", "problem", "message", "fix", NULL };

  return cmd_judgement (cli, json, TRUE, headers, members);
}

static int
cmd_recommended (Cli      *cli,
                 gboolean  json)
{
  static const char * const headers[] = { N_("CONNECTOR"), N_("APP"), N_("USERS"), N_("DISCOVERED BY"), N_("WHY"), NULL };
  static const char * const members[] = { "connector", "app", "users", "discovered_by[]", "reason", NULL };

  return cmd_judgement (cli, json, FALSE, headers, members);
}

static char *
field_env_name (const char *field_id)
{
  g_autofree char *upper = g_ascii_strup (field_id, -1);

  return g_strconcat ("PORTICO_FIELD_", upper, NULL);
}

/* Field values: --set for non-secret fields, the environment or KEY=VALUE
 * lines on stdin for secrets (never argv, which other users can read). */
static int
collect_values (Cli              *cli,
                PorticoConnector *connector,
                const EngineArgs *args,
                GHashTable       *values)
{
  GPtrArray *fields = portico_connector_get_fields (connector);
  gboolean missing_secret = FALSE;

  for (guint i = 0; i < args->set_keys->len; i++)
    {
      const char *key = g_ptr_array_index (args->set_keys, i);
      const PorticoConnectorField *field = portico_connector_get_field (connector, key);

      if (field == NULL)
        return portico_cli_usage_error (_("%s has no field “%s”. Run 'portico-cli connectors --json' to see its fields."),
                            portico_connector_get_name (connector), key);
      if (portico_connector_field_is_secret (field))
        {
          g_autofree char *env = field_env_name (key);

          return portico_cli_usage_error (_("“%s” is a secret and is never read from the command line. Set %s in the environment or write %s=VALUE on standard input."),
                              key, env, key);
        }
      g_hash_table_insert (values, g_strdup (key), g_strdup (g_ptr_array_index (args->set_values, i)));
    }

  /* A file secret's content goes to the keyring; its path is not kept. */
  for (guint i = 0; i < args->file_keys->len; i++)
    {
      const char *key = g_ptr_array_index (args->file_keys, i);
      const char *path = g_ptr_array_index (args->file_paths, i);
      const PorticoConnectorField *field = portico_connector_get_field (connector, key);
      g_autoptr(GError) error = NULL;
      g_autofree char *content = NULL;
      gsize length = 0;

      if (field == NULL || field->type != PORTICO_FIELD_FILE)
        return portico_cli_usage_error (_("%s has no file field “%s”. Run 'portico-cli connectors --json' to see its fields."),
                            portico_connector_get_name (connector), key);
      if (!g_file_get_contents (path, &content, &length, &error))
        {
          g_printerr ("portico-cli: %s\n", _("The file given with --secret-file cannot be read. Check the path and its permissions."));
          g_debug ("%s", error->message);
          return PORTICO_CLI_EXIT_FAILED;
        }
      if (!g_utf8_validate (content, length, NULL) || memchr (content, '\0', length) != NULL)
        {
          portico_secret_free (g_steal_pointer (&content));
          g_printerr ("portico-cli: %s\n", _("The file given with --secret-file is not a text file. Give the JSON key file."));
          return PORTICO_CLI_EXIT_FAILED;
        }
      g_hash_table_insert (values, g_strdup (key), g_steal_pointer (&content));
    }

  for (guint i = 0; i < fields->len; i++)
    {
      const PorticoConnectorField *field = g_ptr_array_index (fields, i);
      g_autofree char *env = field_env_name (field->id);
      const char *value = g_getenv (env);

      if (value != NULL && !g_hash_table_contains (values, field->id))
        g_hash_table_insert (values, g_strdup (field->id), g_strdup (value));
      if (field->type == PORTICO_FIELD_SECRET && !g_hash_table_contains (values, field->id))
        missing_secret = TRUE;
    }

  /* Standard input only when a secret is still missing and it is not a
   * terminal, so that a script can pipe secrets in and nobody is prompted. */
  if (missing_secret && !isatty (STDIN_FILENO))
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      g_autoptr(GDataInputStream) data = g_data_input_stream_new (in);
      char *line;

      while ((line = g_data_input_stream_read_line_utf8 (data, NULL, NULL, NULL)) != NULL)
        {
          g_autofree char *owned = line;
          char *eq = strchr (g_strstrip (owned), '=');
          const PorticoConnectorField *field;

          if (*owned == '\0' || *owned == '#')
            continue;
          if (eq == NULL || eq == owned)
            return portico_cli_usage_error (_("Standard input must hold KEY=VALUE lines."));
          *eq = '\0';
          field = portico_connector_get_field (connector, owned);
          if (field == NULL)
            return portico_cli_usage_error (_("%s has no field “%s”. Run 'portico-cli connectors --json' to see its fields."),
                                portico_connector_get_name (connector), owned);
          if (!g_hash_table_contains (values, owned))
            g_hash_table_insert (values, g_strdup (owned), g_strdup (eq + 1));
        }
    }

  /* Demo mode fills in the sandbox's working values for what is missing. */
  if (cli->sandbox != NULL)
    {
      g_autoptr(GHashTable) demo = portico_sandbox_get_field_values (cli->sandbox,
                                                                     portico_connector_get_id (connector),
                                                                     "ok");
      GHashTableIter iter;
      gpointer key, value;

      if (demo != NULL)
        {
          g_hash_table_iter_init (&iter, demo);
          while (g_hash_table_iter_next (&iter, &key, &value))
            if (!g_hash_table_contains (values, key))
              g_hash_table_insert (values, g_strdup (key), g_strdup (value));
        }
    }

  return PORTICO_CLI_EXIT_OK;
}

static PorticoConnector *
cli_lookup_connector (PorticoEngine *engine,
                      const char    *connector_id,
                      int           *status)
{
  PorticoConnector *connector = portico_catalog_lookup (portico_engine_get_catalog (engine), connector_id);

  if (connector == NULL)
    *status = portico_cli_usage_error (_("There is no connector “%s”. Run 'portico-cli connectors' to see them."), connector_id);
  else
    *status = PORTICO_CLI_EXIT_OK;
  return connector;
}

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
build_test_members (JsonBuilder           *builder,
                    PorticoConnectionTest *test)
{
  const char * const *types = portico_connection_test_get_data_types (test);
  const GError *connection_error = portico_connection_test_get_connection_error (test);

  json_builder_set_member_name (builder, "outcome");
  json_builder_add_string_value (builder,
                                 portico_connection_outcome_to_string (portico_connection_test_get_outcome (test)));
  json_builder_set_member_name (builder, "identity");
  json_builder_begin_object (builder);
  add_nullable_string (builder, "id", portico_connection_test_get_external_id (test));
  add_nullable_string (builder, "name", portico_connection_test_get_display_name (test));
  json_builder_end_object (builder);
  add_nullable_string (builder, "error", connection_error ? connection_error->message : NULL);
  json_builder_set_member_name (builder, "data_types");
  json_builder_begin_array (builder);
  for (guint i = 0; types != NULL && types[i] != NULL; i++)
    {
      const GError *error = portico_connection_test_get_data_type_error (test, types[i]);
      gboolean ok = portico_connection_test_get_data_type_ok (test, types[i]);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, types[i]);
      json_builder_set_member_name (builder, "ok");
      json_builder_add_boolean_value (builder, ok);
      add_nullable_string (builder, "error", ok ? NULL : (error ? error->message : _("Not tested.")));
      add_nullable_string (builder, "error_code", ok || error == NULL ? NULL : portico_error_code_name (error));
      json_builder_set_member_name (builder, "items");
      json_builder_add_int_value (builder, ok ? portico_connection_test_get_data_type_items (test, types[i]) : 0);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
print_test_human (PorticoConnectionTest *test)
{
  const char * const *types = portico_connection_test_get_data_types (test);
  const GError *connection_error = portico_connection_test_get_connection_error (test);
  PorticoConnectionOutcome outcome = portico_connection_test_get_outcome (test);

  if (connection_error != NULL)
    g_print (_("Connection: failed: %s\n"), connection_error->message);
  else
    g_print (_("Connection: ok (%s, %s)\n"),
             portico_connection_test_get_display_name (test) ? portico_connection_test_get_display_name (test) : "-",
             portico_connection_test_get_external_id (test) ? portico_connection_test_get_external_id (test) : "-");

  for (guint i = 0; types != NULL && types[i] != NULL; i++)
    {
      const GError *error = portico_connection_test_get_data_type_error (test, types[i]);

      if (portico_connection_test_get_data_type_ok (test, types[i]))
        g_print ("  %-16s %s\n", portico_data_type_label (types[i]), _("ok"));
      else
        g_print ("  %-16s %s\n", portico_data_type_label (types[i]),
                 error != NULL ? error->message : _("not tested"));
    }

  switch (outcome)
    {
    case PORTICO_CONNECTION_OUTCOME_A:
      g_print ("%s\n", _("Outcome A: everything works."));
      break;
    case PORTICO_CONNECTION_OUTCOME_B:
      g_print ("%s\n", _("Outcome B: some data types failed; connecting syncs only the working ones (--accept-partial)."));
      break;
    default:
      g_print ("%s\n", _("Outcome C: the connection failed; fix the details and test again."));
      break;
    }
}

static PorticoConnectionTest *
run_test (PorticoEngine    *engine,
          PorticoConnector *connector,
          GHashTable       *values,
          const char       *permission,
          GError          **error)
{
  g_autoptr(PorticoConnectionTest) test = portico_engine_new_test (engine, connector, values, permission);
  g_auto(Wait) wait = WAIT_INIT;

  portico_connection_test_run_async (test, NULL, wait_cb, &wait);
  portico_connection_test_run_finish (test, wait_run (&wait), error);
  if (error != NULL && *error != NULL)
    return NULL;
  return g_steal_pointer (&test);
}

static void
sign_in_address_cb (PorticoSignIn *sign_in,
                    const char    *address,
                    gpointer       user_data)
{
  const EngineArgs *args = user_data;

  /* SPEC 11: exactly this line, once; scripts and tests read it. */
  g_printerr ("Open this address in a browser to sign in: %s\n", address);
  if (!args->no_browser)
    {
      g_autoptr(GError) error = NULL;

      if (!g_app_info_launch_default_for_uri (address, NULL, &error))
        g_debug ("No browser opened: %s", error->message);
    }
}

/* For connectors that sign in through the browser: the sign-in comes before
 * the test, and leaves the refresh token in @values. Nothing is stored
 * unless the test and connect that follow succeed. */
static gboolean
sign_in_if_needed (PorticoEngine    *engine,
                   PorticoConnector *connector,
                   GHashTable       *values,
                   const char       *permission,
                   const EngineArgs *args,
                   GError          **error)
{
  g_autoptr(PorticoSignIn) sign_in = NULL;
  g_auto(Wait) wait = WAIT_INIT;

  if (!portico_connector_signs_in (connector))
    return TRUE;

  sign_in = portico_sign_in_new (portico_engine_get_runtime (engine), connector, values, permission);
  portico_sign_in_set_timeout (sign_in, args->sign_in_timeout);
  g_signal_connect (sign_in, "address-ready", G_CALLBACK (sign_in_address_cb), (gpointer) args);
  portico_sign_in_run_async (sign_in, NULL, wait_cb, &wait);
  return portico_sign_in_run_finish (sign_in, wait_run (&wait), error);
}

/* Exports are the admin's own: readable by them only. */
static gboolean
write_document (const char *path,
                JsonNode   *node,
                GError    **error)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize length;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, &length);
  if (!g_file_set_contents_full (path, text, length, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("Could not write “%s”: %s. Choose a folder you can write to."),
                   path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* A mapped value as a table cell: text as it is, other JSON compactly. */
static char *
cell_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return json_to_string (node, FALSE);
}

static void
print_try_rows (JsonObject *result)
{
  JsonArray *rows = json_object_get_array_member (result, "rows");
  g_autoptr(GList) columns = NULL;
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(PorticoCliTable) table = NULL;
  g_autofree char *items_path = cell_text (json_object_get_member (result, "items_path"));
  gint64 total = json_object_get_int_member (result, "total");

  if (json_array_get_length (rows) > 0)
    columns = json_object_get_members (json_array_get_object_element (rows, 0));
  for (GList *l = columns; l != NULL; l = l->next)
    g_ptr_array_add (headers, g_ascii_strup (l->data, -1));
  g_ptr_array_add (headers, NULL);

  if (columns != NULL)
    {
      table = portico_cli_table_new_v ((const char * const *) headers->pdata);
      for (guint i = 0; i < json_array_get_length (rows); i++)
        {
          JsonObject *row = json_array_get_object_element (rows, i);
          g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);

          for (GList *l = columns; l != NULL; l = l->next)
            g_ptr_array_add (cells, cell_text (json_object_get_member (row, l->data)));
          g_ptr_array_add (cells, NULL);
          portico_cli_table_add_row_v (table, (const char * const *) cells->pdata);
        }
      portico_cli_table_print (table);
    }

  if (*items_path == '\0')
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "%" PRId64 " item on the first page; the body is the list of items.\n",
                          "%" PRId64 " items on the first page; the body is the list of items.\n",
                          (gulong) total),
             (int64_t) total);
  else
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "%" PRId64 " item on the first page, at “%s”.\n",
                          "%" PRId64 " items on the first page, at “%s”.\n",
                          (gulong) total),
             (int64_t) total, items_path);
}

/* `connectors try FILE`: the editor's Try it for a definition file that
 * need not be imported. */
static int
cmd_connectors_try (Cli *cli, const EngineArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        (GDestroyNotify) portico_secret_free);
  g_autoptr(PorticoConnector) draft = NULL;
  g_autoptr(JsonNode) result = NULL;
  g_autofree char *contents = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  PorticoEngine *engine;
  gsize length = 0;
  int status;

  if (!g_file_get_contents (args->connector_id, &contents, &length, &error))
    return portico_cli_fail (error);

  engine = cli_get_engine (cli, &error);
  if (engine == NULL)
    return portico_cli_fail (error);

  /* The draft's fields say which values to read. */
  draft = portico_engine_check_custom_connector (engine, contents, (gssize) length, args->connector_id, &error);
  if (draft == NULL)
    return portico_cli_fail (error);
  if ((status = collect_values (cli, draft, args, values)) != PORTICO_CLI_EXIT_OK)
    return status;
  if (!sign_in_if_needed (engine, draft, values, "read", args, &error))
    return portico_cli_fail (error);

  portico_engine_try_connector_async (engine, contents, (gssize) length, values, NULL,
                                      NULL, wait_cb, &wait);
  result = portico_engine_try_connector_finish (engine, wait_run (&wait), &error);
  if (result == NULL)
    return portico_cli_fail (error);

  if (args->json)
    portico_cli_print_json (result);
  else
    print_try_rows (json_node_get_object (result));
  return PORTICO_CLI_EXIT_OK;
}

static int
cmd_test (Cli *cli, const EngineArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(PorticoConnectionTest) test = NULL;
  PorticoEngine *engine = cli_get_engine (cli, &error);
  PorticoConnector *connector;
  int status;

  if (engine == NULL)
    return portico_cli_fail (error);
  connector = cli_lookup_connector (engine, args->connector_id, &status);
  if (connector == NULL)
    return status;
  if ((status = collect_values (cli, connector, args, values)) != PORTICO_CLI_EXIT_OK)
    return status;
  if (!sign_in_if_needed (engine, connector, values, args->permission, args, &error))
    return portico_cli_fail (error);

  test = run_test (engine, connector, values, args->permission, &error);
  if (test == NULL)
    return portico_cli_fail (error);

  {
    g_autoptr(JsonBuilder) builder = json_builder_new ();
    g_autoptr(JsonNode) root = NULL;
    g_autoptr(JsonObject) details = json_object_new ();

    json_object_set_string_member (details, "connector", portico_connector_get_id (connector));
    json_object_set_string_member (details, "outcome",
                                   portico_connection_outcome_to_string (portico_connection_test_get_outcome (test)));
    portico_store_append_audit_sync (portico_engine_get_store (engine), 0, "tested", details, NULL);

    if (args->report != NULL)
      {
        g_autoptr(JsonNode) report = portico_engine_build_test_report (engine, test, &error);

        if (report == NULL || !write_document (args->report, report, &error))
          return portico_cli_fail (error);
      }

    if (args->json)
      {
        json_builder_begin_object (builder);
        build_test_members (builder, test);
        json_builder_end_object (builder);
        root = json_builder_get_root (builder);
        portico_cli_print_json (root);
      }
    else
      print_test_human (test);
  }

  return portico_connection_test_get_outcome (test) == PORTICO_CONNECTION_OUTCOME_C
         ? PORTICO_CLI_EXIT_FAILED : PORTICO_CLI_EXIT_OK;
}

static int
print_connect_result (Cli                   *cli,
                      PorticoEngine         *engine,
                      PorticoConnectionTest *test,
                      gint64                 account_id,
                      gint64                 replaced_id,
                      gboolean               json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) account = portico_store_get_account (portico_engine_get_store (engine), account_id, &error);
  JsonObject *object;

  if (account == NULL)
    return portico_cli_fail (error);
  object = json_node_get_object (account);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (builder);
      build_test_members (builder, test);
      json_builder_set_member_name (builder, "account");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, account_id);
      add_nullable_string (builder, "name", json_object_get_string_member_with_default (object, "name", NULL));
      add_nullable_string (builder, "connector", json_object_get_string_member_with_default (object, "connector", NULL));
      add_nullable_string (builder, "external_id", json_object_get_string_member_with_default (object, "external_id", NULL));
      json_builder_end_object (builder);
      json_builder_set_member_name (builder, "replaced_account");
      if (replaced_id > 0)
        json_builder_add_int_value (builder, replaced_id);
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      portico_cli_print_json (root);
    }
  else
    {
      g_print (_("Connected “%s” as account %" PRId64 " (outcome %s).\n"),
               json_object_get_string_member_with_default (object, "name", ""), account_id,
               portico_connection_outcome_to_string (portico_connection_test_get_outcome (test)));
      if (replaced_id > 0)
        g_print (_("Account %" PRId64 " was disconnected: it had another identity and %s supports one account.\n"),
                 replaced_id, portico_connector_get_name (portico_connection_test_get_connector (test)));
      g_print (_("Run 'portico-cli sync %" PRId64 "' to fetch its data.\n"), account_id);
    }

  return PORTICO_CLI_EXIT_OK;
}

static int
cmd_connect (Cli *cli, const EngineArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(PorticoConnectionTest) test = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  PorticoEngine *engine = cli_get_engine (cli, &error);
  PorticoConnector *connector;
  gint64 account_id;
  int status;

  if (engine == NULL)
    return portico_cli_fail (error);
  connector = cli_lookup_connector (engine, args->connector_id, &status);
  if (connector == NULL)
    return status;
  if (args->permission != NULL && g_str_equal (args->permission, "act"))
    {
      g_auto(GStrv) permissions = portico_connector_get_permissions (connector);

      if (permissions == NULL || !g_strv_contains ((const char * const *) permissions, "act"))
        return portico_cli_usage_error (_("%s offers only the Read permission level. Leave out --permission act."),
                            portico_connector_get_name (connector));
    }
  if ((status = collect_values (cli, connector, args, values)) != PORTICO_CLI_EXIT_OK)
    return status;
  if (args->name != NULL)
    {
      g_autofree char *name = g_strstrip (g_strdup (args->name));

      if (name[0] == '\0')
        return portico_cli_usage_error (_("The account name may not be empty."));
    }
  if (!sign_in_if_needed (engine, connector, values, args->permission, args, &error))
    return portico_cli_fail (error);

  test = run_test (engine, connector, values, args->permission, &error);
  if (test == NULL)
    return portico_cli_fail (error);

  portico_engine_connect_async (engine, test, values, args->name, args->accept_partial,
                                NULL, wait_cb, &wait);
  account_id = portico_engine_connect_finish (engine, wait_run (&wait), &error);
  if (account_id <= 0)
    return portico_cli_fail (error);

  return print_connect_result (cli, engine, test, account_id, 0, args->json);
}

static JsonNode *
sync_one (PorticoEngine *engine,
          gint64         account_id,
          GError       **error)
{
  g_auto(Wait) wait = WAIT_INIT;

  portico_engine_sync_async (engine, account_id, NULL, wait_cb, &wait);
  return portico_engine_sync_finish (engine, wait_run (&wait), error);
}

static void
print_sync_human (JsonObject *result)
{
  JsonArray *types = json_object_get_array_member (result, "data_types");

  g_print (_("Account %" PRId64 ": %s\n"),
           json_object_get_int_member (result, "account"),
           json_object_get_string_member (result, "status"));
  for (guint i = 0; types != NULL && i < json_array_get_length (types); i++)
    {
      JsonObject *type = json_array_get_object_element (types, i);
      const char *error = json_object_get_string_member_with_default (type, "error", NULL);

      if (error != NULL)
        g_print ("  %-16s %s\n", portico_data_type_label (json_object_get_string_member (type, "id")), error);
      else
        g_print (_("  %-16s %'" PRId64 " items\n"),
                 portico_data_type_label (json_object_get_string_member (type, "id")),
                 json_object_get_int_member (type, "items"));
    }
}

/* The background sync tells the desktop about a failed sync or an account
 * that needs attention, once per account and problem, as the app does. No
 * session bus (cron, a server): nothing is told and nothing recorded, so
 * the app still tells it when it next runs. */
static void
notify_problems (PorticoEngine *engine,
                 GArray        *ids)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GPtrArray) notices = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state_path = NULL;
  g_autofree char *runtime_bus = g_build_filename (g_get_user_runtime_dir (), "bus", NULL);

  if (!portico_notifier_enabled ())
    return;
  /* Never autolaunch a bus that would outlive this process. */
  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL && !g_file_test (runtime_bus, G_FILE_TEST_EXISTS))
    return;
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    {
      g_debug ("No notifications: %s", error->message);
      return;
    }

  state_path = portico_notifier_default_state_path ();
  notices = portico_notifier_collect_sync (portico_engine_get_store (engine), ids,
                                           portico_notifier_interval_hours (), state_path, &error);
  if (notices == NULL)
    {
      g_debug ("No notifications: %s", error->message);
      return;
    }

  for (guint i = 0; i < notices->len; i++)
    {
      g_autoptr(GError) send_error = NULL;

      if (!portico_notifier_send_freedesktop (bus, APP_ID, g_ptr_array_index (notices, i), &send_error))
        g_debug ("Notification not sent: %s", send_error->message);
    }
}

/* A failed sync says why on stderr too, not only in its report (which
 * --json prints on stdout): one sentence per failed data type, and being
 * offline once per command. */
static void
print_sync_failures (JsonObject *result,
                     gboolean   *offline_said)
{
  JsonArray *types = json_object_get_array_member (result, "data_types");

  for (guint i = 0; types != NULL && i < json_array_get_length (types); i++)
    {
      JsonObject *type = json_array_get_object_element (types, i);
      const char *error = json_object_get_string_member_with_default (type, "error", NULL);

      if (g_strcmp0 (json_object_get_string_member_with_default (type, "error_code", NULL), "offline") == 0)
        {
          if (*offline_said)
            continue;
          *offline_said = TRUE;
        }
      if (error != NULL)
        g_printerr ("portico-cli: %s\n", error);
    }
}

/* A users sync held by drift protection changed nothing: it fails the
 * command even when the other data types synced. */
static gboolean
sync_was_held (JsonObject *result)
{
  JsonArray *types = json_object_get_array_member (result, "data_types");

  for (guint i = 0; types != NULL && i < json_array_get_length (types); i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (json_array_get_object_element (types, i),
                                                               "error_code", NULL), "held") == 0)
      return TRUE;
  return FALSE;
}

static int
cmd_sync (Cli *cli, const EngineArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(JsonArray) results = json_array_new ();
  PorticoEngine *engine = cli_get_engine (cli, &error);
  int status = PORTICO_CLI_EXIT_OK;
  gboolean offline_said = FALSE;

  if (engine == NULL)
    return portico_cli_fail (error);

  /* The background timer's sync is a scheduled one: it waits for the
   * network as the app's scheduler does. */
  if (args->scheduled)
    {
      const char *waiting = NULL;

      if (portico_engine_get_offline (engine))
        waiting = _("This computer is offline, so nothing was synced: the next scheduled sync runs when the network is back.\n");
      else if (portico_engine_get_metered (engine) && !portico_settings_get_boolean ("sync-on-metered", TRUE))
        waiting = _("The connection is metered and scheduled syncs wait on metered connections (Preferences), so nothing was synced.\n");
      if (waiting != NULL && args->json)
        {
          /* No sync documents; the reason goes beside the JSON. */
          g_print ("[]\n");
          g_printerr ("%s", waiting);
        }
      else if (waiting != NULL)
        g_print ("%s", waiting);
      if (waiting != NULL)
        return PORTICO_CLI_EXIT_OK;
    }

  if (args->all)
    {
      g_autoptr(JsonNode) accounts = portico_store_list_accounts (portico_engine_get_store (engine), &error);
      JsonArray *array;

      if (accounts == NULL)
        return portico_cli_fail (error);
      array = json_node_get_array (accounts);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          gint64 id = json_object_get_int_member (json_array_get_object_element (array, i), "id");
          g_array_append_val (ids, id);
        }
    }
  else
    g_array_append_val (ids, args->account_id);

  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);
      g_autoptr(GError) sync_error = NULL;
      g_autoptr(JsonNode) result = sync_one (engine, id, &sync_error);

      if (result == NULL)
        {
          g_printerr ("portico-cli: %s\n", sync_error->message);
          status = PORTICO_CLI_EXIT_FAILED;
          continue;
        }
      if (g_strcmp0 (json_object_get_string_member (json_node_get_object (result), "status"), "failed") == 0 ||
          sync_was_held (json_node_get_object (result)))
        {
          status = PORTICO_CLI_EXIT_FAILED;
          print_sync_failures (json_node_get_object (result), &offline_said);
        }
      if (!args->json)
        print_sync_human (json_node_get_object (result));
      json_array_add_element (results, g_steal_pointer (&result));
    }

  notify_problems (engine, ids);

  if (args->json)
    {
      g_autoptr(JsonNode) root = NULL;

      if (args->all)
        {
          root = json_node_new (JSON_NODE_ARRAY);
          json_node_set_array (root, results);
        }
      else if (json_array_get_length (results) == 1)
        root = json_node_copy (json_array_get_element (results, 0));
      if (root != NULL)
        portico_cli_print_json (root);
    }

  return status;
}

static int
cmd_reconnect (Cli *cli, const EngineArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) account = NULL;
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GHashTable) given = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(PorticoConnectionTest) test = NULL;
  g_auto(Wait) load_wait = WAIT_INIT;
  g_auto(Wait) wait = WAIT_INIT;
  PorticoEngine *engine = cli_get_engine (cli, &error);
  PorticoConnector *connector;
  JsonObject *object;
  const char *permission;
  GHashTableIter iter;
  gpointer key, value;
  gint64 replaced = 0;
  gint64 account_id;
  int status;

  if (engine == NULL)
    return portico_cli_fail (error);
  account = portico_store_get_account (portico_engine_get_store (engine), args->account_id, &error);
  if (account == NULL)
    return portico_cli_fail (error);
  object = json_node_get_object (account);
  connector = cli_lookup_connector (engine, json_object_get_string_member_with_default (object, "connector", ""), &status);
  if (connector == NULL)
    return status;
  if ((status = collect_values (cli, connector, args, given)) != PORTICO_CLI_EXIT_OK)
    return status;

  /* Start from what the account had (its secrets too, when the keyring
   * still has them), then apply what was given now. */
  portico_engine_load_values_async (engine, args->account_id, NULL, wait_cb, &load_wait);
  values = portico_engine_load_values_finish (engine, wait_run (&load_wait), &error);
  if (values == NULL)
    {
      JsonObject *fields = json_object_get_object_member (object, "fields");

      g_debug ("Reconnecting without the old secrets: %s", error->message);
      g_clear_error (&error);
      values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      if (fields != NULL)
        {
          JsonObjectIter fiter;
          const char *name;
          JsonNode *node;

          json_object_iter_init (&fiter, fields);
          while (json_object_iter_next (&fiter, &name, &node))
            if (json_node_get_value_type (node) == G_TYPE_STRING)
              g_hash_table_insert (values, g_strdup (name), g_strdup (json_node_get_string (node)));
        }
    }
  g_hash_table_iter_init (&iter, given);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (values, g_strdup (key), g_strdup (value));

  permission = json_object_get_string_member_with_default (object, "permission", "read");
  if (!sign_in_if_needed (engine, connector, values, permission, args, &error))
    return portico_cli_fail (error);
  test = run_test (engine, connector, values, permission, &error);
  if (test == NULL)
    return portico_cli_fail (error);

  portico_engine_reconnect_async (engine, args->account_id, test, values, TRUE, NULL, wait_cb, &wait);
  account_id = portico_engine_reconnect_finish (engine, wait_run (&wait), &replaced, &error);
  if (account_id <= 0)
    return portico_cli_fail (error);

  return print_connect_result (cli, engine, test, account_id, replaced, args->json);
}

/* ---- profile ----------------------------------------------------------------------- */

static int
cmd_profile_export (Cli        *cli,
                    const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) profile = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  PorticoEngine *engine = cli_get_engine_full (cli, FALSE, &error);
  guint n;

  if (engine == NULL)
    return portico_cli_fail (error);
  /* What Export Profile… in the window runs. */
  portico_engine_export_profile_async (engine, NULL, wait_cb, &wait);
  profile = portico_engine_export_profile_finish (engine, wait_run (&wait), &error);
  if (profile == NULL || !write_document (path, profile, &error))
    return portico_cli_fail (error);

  n = json_array_get_length (json_object_get_array_member (json_node_get_object (profile), "accounts"));
  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "Exported %u account to “%s”, without its credentials.\n",
                        "Exported %u accounts to “%s”, without their credentials.\n", n),
           n, path);
  return PORTICO_CLI_EXIT_OK;
}

static int
cmd_profile_import (Cli        *cli,
                    const char *path,
                    gboolean    json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) summary = NULL;
  g_autofree char *data = NULL;
  g_autofree char *name = NULL;
  g_auto(Wait) wait = WAIT_INIT;
  PorticoEngine *engine;
  JsonArray *accounts;
  gsize length;

  if (!g_file_get_contents (path, &data, &length, &error))
    {
      g_autoptr(GError) read_error = NULL;

      g_set_error (&read_error, error->domain, error->code,
                   _("Could not read “%s”: %s. Check the file name."), path, error->message);
      return portico_cli_fail (read_error);
    }
  engine = cli_get_engine_full (cli, FALSE, &error);
  if (engine == NULL)
    return portico_cli_fail (error);

  name = g_path_get_basename (path);
  portico_engine_import_profile_async (engine, data, length, name, NULL, wait_cb, &wait);
  summary = portico_engine_import_profile_finish (engine, wait_run (&wait), &error);
  if (summary == NULL)
    return portico_cli_fail (error);

  if (json)
    {
      portico_cli_print_json (summary);
      return PORTICO_CLI_EXIT_OK;
    }

  accounts = json_object_get_array_member (json_node_get_object (summary), "accounts");
  for (guint i = 0; i < json_array_get_length (accounts); i++)
    {
      JsonObject *account = json_array_get_object_element (accounts, i);
      const char *account_name = json_object_get_string_member_with_default (account, "name", "");

      if (json_object_get_null_member (account, "id"))
        g_print (_("Skipped “%s”: it is connected already.\n"), account_name);
      else
        g_print (_("Imported “%s” as account %" PRId64 ": run 'portico-cli reconnect %" PRId64 "' to enter its credentials.\n"),
                 account_name, json_object_get_int_member (account, "id"),
                 json_object_get_int_member (account, "id"));
    }
  return PORTICO_CLI_EXIT_OK;
}

static int
run_profile (Cli    *cli,
             int     argc,
             char  **argv)
{
  const char *subcommand = NULL, *path = NULL;
  gboolean json = FALSE;

  for (int i = 0; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--json"))
        json = TRUE;
      else if (argv[i][0] == '-' && argv[i][1] != '\0')
        return unknown_option ("profile", argv[i]);
      else if (subcommand == NULL)
        subcommand = argv[i];
      else if (path == NULL)
        path = argv[i];
      else
        return extra_argument ("profile", argv[i]);
    }

  if (g_strcmp0 (subcommand, "export") != 0 && g_strcmp0 (subcommand, "import") != 0)
    return portico_cli_usage_error (_("“profile” needs “export FILE” or “import FILE”."));
  if (path == NULL)
    return portico_cli_usage_error (_("“profile %s” needs a FILE."), subcommand);
  if (g_str_equal (subcommand, "export"))
    {
      if (json)
        return unknown_option ("profile export", "--json");
      return cmd_profile_export (cli, path);
    }
  return cmd_profile_import (cli, path, json);
}

/* ---- Dispatch ----------------------------------------------------------------------- */

static int
run_command (Cli         *cli,
             const char  *command,
             int          argc,
             char       **argv)
{
  static const struct {
    const char *name;
    int (*run) (Cli *cli, gboolean json);
  } listings[] = {
    { "connectors", cmd_connectors },
    { "accounts", cmd_accounts },
    { "apps", cmd_apps },
    { "users", cmd_users },
    { "licenses", cmd_licenses },
    { "workflows", cmd_workflows },
    { "audit", cmd_audit },
    { "attention", cmd_attention },
    { "recommended", cmd_recommended },
  };
  int status;

  if (g_str_equal (command, "connectors") && argc > 0 && g_str_equal (argv[0], "try"))
    {
      g_auto(EngineArgs) args = { 0 };

      status = parse_engine_args ("connectors try", argc - 1, argv + 1, POSITIONAL_FILE,
                                  ALLOW_SET | ALLOW_SIGN_IN, &args);
      if (status != PORTICO_CLI_EXIT_OK)
        return status;
      return cmd_connectors_try (cli, &args);
    }
  if (g_str_equal (command, "connectors") && argc > 0 && argv[0][0] != '-')
    return portico_cli_custom_run (argc, argv, cli_get_local_engine, cli);

  for (guint i = 0; i < G_N_ELEMENTS (listings); i++)
    if (g_str_equal (command, listings[i].name))
      {
        gboolean json;

        status = parse_json_only (command, argc, argv, &json);
        if (status != PORTICO_CLI_EXIT_OK)
          return status;
        return listings[i].run (cli, json);
      }

  if (g_str_equal (command, "profile"))
    return run_profile (cli, argc, argv);

  if (g_str_equal (command, "rename"))
    {
      const char *positional[2] = { NULL, NULL };
      guint n = 0;
      gint64 account_id = 0;

      for (int i = 0; i < argc; i++)
        {
          if (g_str_equal (argv[i], "--") && i + 1 < argc && n < 2)
            {
              /* "--" lets a name start with a dash. */
              positional[n++] = argv[++i];
              continue;
            }
          if (argv[i][0] == '-' && argv[i][1] != '\0' && !g_ascii_isdigit (argv[i][1]))
            return unknown_option (command, argv[i]);
          if (n == 2)
            return extra_argument (command, argv[i]);
          positional[n++] = argv[i];
        }
      status = parse_account_id (command, positional[0], &account_id);
      if (status != PORTICO_CLI_EXIT_OK)
        return status;
      if (positional[1] == NULL)
        return portico_cli_usage_error (_("“rename” needs the NEW_NAME after the account id."));
      return cmd_rename (cli, account_id, positional[1]);
    }

  if (g_str_equal (command, "resume") || g_str_equal (command, "apply-held") ||
      g_str_equal (command, "discard-held") || g_str_equal (command, "restore") ||
      g_str_equal (command, "forget"))
    {
      const char *account = NULL;
      gint64 account_id = 0;

      for (int i = 0; i < argc; i++)
        {
          if (argv[i][0] == '-' && argv[i][1] != '\0')
            return unknown_option (command, argv[i]);
          if (account != NULL)
            return extra_argument (command, argv[i]);
          account = argv[i];
        }
      status = parse_account_id (command, account, &account_id);
      if (status != PORTICO_CLI_EXIT_OK)
        return status;
      if (g_str_equal (command, "restore"))
        return cmd_restore (cli, account_id);
      if (g_str_equal (command, "forget"))
        return cmd_forget (cli, account_id);
      if (!g_str_equal (command, "resume"))
        return cmd_resolve_held (cli, account_id, g_str_equal (command, "apply-held"));
      return cmd_resume (cli, account_id);
    }

  if (g_str_equal (command, "set"))
    {
      const char *account = NULL, *threshold = NULL;
      gint64 account_id = 0;
      guint64 percent = 0;

      for (int i = 0; i < argc; i++)
        {
          if (match_value_option ("--drift-threshold", argc, argv, &i, &threshold, &status))
            {
              if (status != PORTICO_CLI_EXIT_OK)
                return status;
            }
          else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return unknown_option (command, argv[i]);
          else if (account == NULL)
            account = argv[i];
          else
            return extra_argument (command, argv[i]);
        }
      status = parse_account_id (command, account, &account_id);
      if (status != PORTICO_CLI_EXIT_OK)
        return status;
      if (threshold == NULL)
        return portico_cli_usage_error (_("“set” needs a setting: --drift-threshold PERCENT (1 to 100) or --drift-threshold default."));
      if (!g_str_equal (threshold, "default"))
        {
          g_autofree char *digits = g_strdup (threshold);

          if (g_str_has_suffix (digits, "%"))
            digits[strlen (digits) - 1] = '\0';
          if (!g_ascii_string_to_unsigned (digits, 10, 1, 100, &percent, NULL))
            return portico_cli_usage_error (_("“%s” is not a drift threshold. Give a percentage from 1 to 100, or “default” for %d%%."),
                                            threshold, PORTICO_STORE_HOLD_PERCENT);
        }
      return cmd_set_drift_threshold (cli, account_id, (guint) percent);
    }

  if (g_str_equal (command, "disconnect"))
    {
      const char *account = NULL;
      gboolean preview = FALSE, yes = FALSE, json = FALSE;
      gint64 account_id = 0;

      for (int i = 0; i < argc; i++)
        {
          if (g_str_equal (argv[i], "--preview"))
            preview = TRUE;
          else if (g_str_equal (argv[i], "--yes"))
            yes = TRUE;
          else if (g_str_equal (argv[i], "--json"))
            json = TRUE;
          else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return unknown_option (command, argv[i]);
          else if (account == NULL)
            account = argv[i];
          else
            return extra_argument (command, argv[i]);
        }
      status = parse_account_id (command, account, &account_id);
      if (status != PORTICO_CLI_EXIT_OK)
        return status;
      if (preview == yes)
        return portico_cli_usage_error (_("“disconnect” needs exactly one of --preview (show what would be deleted) or --yes (disconnect)."));
      return cmd_disconnect (cli, account_id, yes, json);
    }

  {
    static const struct {
      const char *name;
      PositionalKind positional;
      guint allowed;
      int (*run) (Cli *cli, const EngineArgs *args);
    } engine[] = {
      { "test", POSITIONAL_CONNECTOR, ALLOW_SET | ALLOW_PERMISSION | ALLOW_SIGN_IN | ALLOW_REPORT, cmd_test },
      { "connect", POSITIONAL_CONNECTOR, ALLOW_SET | ALLOW_PERMISSION | ALLOW_NAME | ALLOW_PARTIAL | ALLOW_SIGN_IN, cmd_connect },
      { "sync", POSITIONAL_ACCOUNT, ALLOW_ALL, cmd_sync },
      { "reconnect", POSITIONAL_ACCOUNT, ALLOW_SET | ALLOW_SIGN_IN, cmd_reconnect },
    };

    for (guint i = 0; i < G_N_ELEMENTS (engine); i++)
      if (g_str_equal (command, engine[i].name))
        {
          g_auto(EngineArgs) args = { 0, };

          status = parse_engine_args (command, argc, argv, engine[i].positional,
                                      engine[i].allowed, &args);
          if (status != PORTICO_CLI_EXIT_OK)
            return status;
          return engine[i].run (cli, &args);
        }
  }

  return portico_cli_usage_error (_("“%s” is not a command."), command);
}

int
main (int    argc,
      char **argv)
{
  Cli cli = { 0, };
  const char *command = NULL;
  g_autoptr(GPtrArray) rest = g_ptr_array_new ();
  int status = PORTICO_CLI_EXIT_OK;

  setlocale (LC_ALL, "");
  portico_i18n_init ();
  textdomain (GETTEXT_PACKAGE);

  /* Global options may come before or after the command. */
  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *value = NULL;

      if (g_str_equal (arg, "--help") || g_str_equal (arg, "-h"))
        {
          g_print ("%s", usage_text);
          goto out;
        }
      else if (g_str_equal (arg, "--version"))
        {
          g_print ("portico-cli %s\n", PACKAGE_VERSION);
          goto out;
        }
      else if (g_str_equal (arg, "--demo"))
        cli.demo = TRUE;
      else if (match_value_option ("--db", argc, argv, &i, &value, &status))
        {
          if (status != PORTICO_CLI_EXIT_OK)
            goto out;
          if (value[0] == '\0')
            {
              status = portico_cli_usage_error (_("The option --db needs a file name."));
              goto out;
            }
          g_free (cli.db_path);
          cli.db_path = g_strdup (value);
        }
      else if (command == NULL && arg[0] == '-' && arg[1] != '\0')
        {
          status = portico_cli_usage_error (_("The option “%s” is unknown."), arg);
          goto out;
        }
      else if (command == NULL)
        command = arg;
      else
        g_ptr_array_add (rest, argv[i]);
    }

  if (command == NULL)
    {
      status = portico_cli_usage_error (_("No command given."));
      goto out;
    }

  g_ptr_array_add (rest, NULL);
  status = run_command (&cli, command, (int) rest->len - 1, (char **) rest->pdata);

  /* "forget" may still be revoking a sign-in at the provider: let it
   * finish, within its own time limit, before the process ends. Keyring
   * items whose deletion is pending (a restore period that ended when the
   * store opened, a failed deletion) are deleted now, as the app does at
   * its start: the timer runs this command too. */
  if (cli.engine != NULL)
    {
      g_auto(Wait) wait = WAIT_INIT;

      portico_engine_wait_revocations_async (cli.engine, wait_cb, &wait);
      portico_engine_wait_revocations_finish (cli.engine, wait_run (&wait));
    }
  if (cli.store != NULL)
    {
      g_autoptr(JsonNode) pending = portico_store_list_keyring_pending (cli.store, NULL);
      g_autoptr(GError) error = NULL;
      PorticoEngine *engine = NULL;

      if (pending != NULL && json_array_get_length (json_node_get_array (pending)) > 0)
        engine = cli_get_local_engine (&cli, &error);
      if (engine != NULL)
        {
          g_auto(Wait) retry = WAIT_INIT;

          portico_engine_retry_keyring_deletes_async (engine, NULL, wait_cb, &retry);
          if (!portico_engine_retry_keyring_deletes_finish (engine, wait_run (&retry), &error))
            g_debug ("Keyring deletions stay pending: %s", error->message);
        }
    }

out:
  g_clear_object (&cli.engine);
  if (cli.sandbox != NULL)
    portico_sandbox_stop (cli.sandbox);
  g_clear_object (&cli.sandbox);
  g_clear_object (&cli.store);
  g_free (cli.db_path);
  return status;
}
