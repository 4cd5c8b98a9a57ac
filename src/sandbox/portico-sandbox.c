/* portico-sandbox.c: run the local fake SaaS provider.
 *
 *   portico-sandbox [--seed N] [--size N] [--port-base N] [--json] [--ready-fd N]
 *
 * Prints the admin URL and, per connector, the api_base_url and the field
 * values to connect with, then serves until SIGINT or SIGTERM.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-sandbox"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib-unix.h>

#include "portico-catalog.h"
#include "portico-sandbox-server.h"

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
print_text (PorticoSandbox *sandbox, JsonNode *doc)
{
  JsonObject *root = json_node_get_object (doc);
  JsonArray *connectors = json_object_get_array_member (root, "connectors");

  printf ("admin %s\n", json_object_get_string_member (root, "admin_url"));
  if (json_object_get_string_member_with_default (root, "scim_url", NULL) != NULL)
    printf ("scim %s (SCIM 2.0 service for the custom connector template; bearer token %s)\n",
            json_object_get_string_member (root, "scim_url"), PORTICO_SANDBOX_SECRET_OK);
  printf ("secrets: %s (works), %s (a data type is not in the plan: outcome B), "
          "%s (rejected: outcome C)\n",
          PORTICO_SANDBOX_SECRET_OK, PORTICO_SANDBOX_SECRET_PLAN, PORTICO_SANDBOX_SECRET_BAD);
  for (guint i = 0; i < json_array_get_length (connectors); i++)
    {
      JsonObject *c = json_array_get_object_element (connectors, i);
      JsonObject *fields = json_object_get_object_member (c, "fields");
      JsonArray *secrets = json_object_get_array_member (c, "secret_fields");
      JsonArray *plan = json_object_get_array_member (c, "plan_failures");
      g_autoptr(GList) names = json_object_get_members (fields);

      printf ("%s %s", json_object_get_string_member (c, "id"),
              json_object_get_string_member (c, "api_base_url"));
      for (GList *l = names; l != NULL; l = l->next)
        printf (" %s=%s", (const char *) l->data, json_object_get_string_member (fields, l->data));
      for (guint k = 0; k < json_array_get_length (secrets); k++)
        printf (" %s=<secret>", json_array_get_string_element (secrets, k));
      if (json_array_get_length (plan) > 0)
        {
          printf (" plan-fails=");
          for (guint k = 0; k < json_array_get_length (plan); k++)
            printf ("%s%s", k > 0 ? "," : "", json_array_get_string_element (plan, k));
        }
      printf ("\n");
    }
}

int
main (int argc, char **argv)
{
  gint seed = 1;
  gint size = 200;
  gint port_base = 0;
  gint ready_fd = -1;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Seed of the generated data (default 1)", "N" },
    { "size", 0, 0, G_OPTION_ARG_INT, &size, "About how many people the company has (default 200)", "N" },
    { "port-base", 0, 0, G_OPTION_ARG_INT, &port_base,
      "Serve connector i (sorted by id) on port N+i, the admin endpoint after them (default: any free port)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON document", NULL },
    { "ready-fd", 0, 0, G_OPTION_ARG_INT, &ready_fd, "Write \"ready\" to this file descriptor once serving", "FD" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoCatalog) catalog = NULL;
  g_autoptr(PorticoSandbox) sandbox = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(JsonNode) doc = NULL;

  g_option_context_set_summary (context, "Serve every connector's API locally with generated data.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "portico-sandbox: %s. See --help.\n", error->message);
      return 2;
    }
  if (seed < 0 || size < 0 || port_base < 0 || port_base > 65000)
    {
      fprintf (stderr, "portico-sandbox: --seed, --size and --port-base take positive numbers.\n");
      return 2;
    }

  catalog = portico_catalog_new ();
  portico_catalog_load_default (catalog);
  {
    GPtrArray *problems = portico_catalog_get_problems (catalog);

    for (guint i = 0; problems != NULL && i < problems->len; i++)
      fprintf (stderr, "portico-sandbox: skipped: %s\n", ((GError *) problems->pdata[i])->message);
  }
  if (g_list_model_get_n_items (G_LIST_MODEL (catalog)) == 0)
    {
      fprintf (stderr, "portico-sandbox: no connector definitions were found; "
               "set PORTICO_CONNECTORS_DIR to the connectors folder.\n");
      return 1;
    }

  sandbox = portico_sandbox_new (catalog, (guint) seed, (guint) size);
  if (!portico_sandbox_start (sandbox, (guint) port_base, &error))
    {
      fprintf (stderr, "portico-sandbox: %s. Choose another --port-base or leave it out.\n", error->message);
      return 1;
    }

  doc = portico_sandbox_describe (sandbox);
  if (json)
    {
      g_autofree char *text = json_to_string (doc, TRUE);

      printf ("%s\n", text);
    }
  else
    print_text (sandbox, doc);
  fflush (stdout);

  if (ready_fd >= 0)
    {
      if (write (ready_fd, "ready\n", 6) != 6)
        fprintf (stderr, "portico-sandbox: cannot write to --ready-fd %d: %s\n", ready_fd, g_strerror (errno));
      close (ready_fd);
    }

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);
  portico_sandbox_stop (sandbox);
  return 0;
}
