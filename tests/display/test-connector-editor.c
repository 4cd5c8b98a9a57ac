/* test-connector-editor.c: the custom-integration editor, as a widget.
 *
 * Against the sandbox's SCIM 2.0 service (in-process): a new draft shows
 * its problems at their fields and cannot be saved; "Start from SCIM 2.0"
 * leaves nothing to fix; Try It shows the first records mapped and the
 * paths to pick; a picked path fills the focused mapping; Save puts the
 * connector in the catalog. Credentials in the body and a service-account
 * key can be chosen and edited, and shipped definitions with those schemes
 * save unchanged. The editor with Try It's results is saved as
 * connector-editor.png (in PORTICO_SCREENSHOTS_DIR when set, for the
 * README).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "display-test-util.h"
#include "portico-application.h"
#include "portico-catalog-tile.h"
#include "portico-connector-editor.h"
#include "portico-engine-custom.h"
#include "portico-sandbox-server.h"

typedef struct
{
  char           *tmpdir;
  char           *db_path;
  PorticoCatalog *catalog;
  PorticoSandbox *sandbox;
  PorticoStore   *store;
  PorticoEngine  *engine;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  const char *dir = g_getenv ("PORTICO_CONNECTORS_DIR");
  g_autoptr(PorticoRuntime) runtime = portico_runtime_new ();
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("portico-editor-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->tmpdir, "portico.db", NULL);

  f->catalog = portico_catalog_new ();
  g_assert_nonnull (dir);
  g_assert_cmpuint (portico_catalog_load_dir (f->catalog, dir, FALSE), >, 0);
  f->sandbox = portico_sandbox_new (f->catalog, 1, 0);
  g_assert_true (portico_sandbox_start (f->sandbox, 0, &error));
  g_assert_no_error (error);
  g_assert_nonnull (portico_sandbox_get_scim_url (f->sandbox));

  f->store = portico_store_open (f->db_path, &error);
  g_assert_no_error (error);
  f->engine = portico_engine_new (f->store, f->catalog, runtime);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->engine);
  g_clear_object (&f->store);
  portico_sandbox_stop (f->sandbox);
  g_clear_object (&f->sandbox);
  g_clear_object (&f->catalog);
  portico_test_remove_db (f->tmpdir, f->db_path);
  g_free (f->db_path);
  g_free (f->tmpdir);
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data));
}

static gboolean
can_save (gpointer data)
{
  return portico_connector_editor_can_save (data);
}

static gboolean
has_problem_at_id (gpointer data)
{
  return portico_connector_editor_get_problem_at (data, "/id") != NULL;
}

static gboolean
not_trying (gpointer data)
{
  return !portico_connector_editor_is_trying (data);
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static PorticoConnectorEditor *
open_editor (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  PorticoConnectorEditor *editor = portico_connector_editor_new (NULL, f->engine, f->sandbox, NULL, &error);

  g_assert_no_error (error);
  gtk_window_present (GTK_WINDOW (editor));
  g_assert_true (portico_test_wait_until (is_mapped, editor, 10000));
  return editor;
}

/* A new draft is refused at its fields until it is complete; a shipped
 * connector's id is refused at the id. */
static void
test_problems (Fixture       *f,
               gconstpointer  data)
{
  PorticoConnectorEditor *editor = open_editor (f);
  const char *problem;

  /* Nothing typed yet: problems, so Save does nothing. */
  g_assert_false (portico_test_wait_until (can_save, editor, 1000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  g_assert_null (portico_catalog_lookup (f->catalog, ""));

  portico_connector_editor_set_text (editor, "/name", "Acme Directory");
  g_assert_false (portico_test_wait_until (can_save, editor, 1000));

  /* A complete draft whose id a shipped connector has: refused at the id. */
  portico_connector_editor_start_from_scim (editor);
  g_assert_true (portico_test_wait_until (can_save, editor, 5000));
  portico_connector_editor_set_text (editor, "/id", "slack");
  g_assert_true (portico_test_wait_until (has_problem_at_id, editor, 5000));
  problem = portico_connector_editor_get_problem_at (editor, "/id");
  g_test_message ("at /id: %s", problem);
  g_assert_nonnull (strstr (problem, "shipped"));
  g_assert_false (portico_connector_editor_can_save (editor));

  /* A base URL that is no template and no https address: at the base URL. */
  portico_connector_editor_set_text (editor, "/id", "acme-directory");
  g_assert_true (portico_test_wait_until (can_save, editor, 5000));
  portico_connector_editor_set_text (editor, "/data_types/users/pagination", "");
  portico_connector_editor_set_text (editor, "/data_types/users/request/path", "");
  g_assert_false (portico_test_wait_until (can_save, editor, 1000));
  g_test_message ("at the path: %s", portico_connector_editor_get_problem_at (editor, "/data_types/users/request/path"));

  gtk_window_destroy (GTK_WINDOW (editor));
}

/* The SCIM template against the sandbox's SCIM service: Try It, a path
 * picked for a mapping, Save. */
static void
test_scim_try_save (Fixture       *f,
                    gconstpointer  data)
{
  PorticoConnectorEditor *editor = open_editor (f);
  g_autofree char *definition = NULL;
  g_autoptr(GError) error = NULL;
  const char *save_dir = g_getenv ("PORTICO_SCREENSHOTS_DIR");
  g_autofree char *path = NULL;
  PorticoConnector *saved;
  gpointer weak = editor;

  portico_connector_editor_start_from_scim (editor);
  g_assert_true (portico_test_wait_until (can_save, editor, 5000));

  /* Try It: the first page, mapped, and the paths of its records. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.try", NULL));
  g_assert_true (portico_connector_editor_is_trying (editor));
  g_assert_true (portico_test_wait_until (not_trying, editor, 20000));
  g_test_message ("try error: %s", portico_connector_editor_get_try_error (editor));
  g_assert_null (portico_connector_editor_get_try_error (editor));
  g_assert_cmpuint (portico_connector_editor_get_n_try_rows (editor), >, 0);
  g_assert_cmpuint (portico_connector_editor_get_n_try_paths (editor), >, 3);

  /* The admin picks the primary email for the Email mapping. */
  g_assert_true (portico_connector_editor_use_path (editor, "email", "emails[primary=true].value"));
  g_assert_cmpstr (portico_connector_editor_get_mapping (editor, "email"), ==, "emails[primary=true].value");
  g_assert_true (portico_test_wait_until (can_save, editor, 5000));
  path = g_build_filename (save_dir != NULL ? save_dir : f->tmpdir, "connector-editor.png", NULL);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (editor));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (editor));
  g_assert_true (portico_widget_save_png (GTK_WIDGET (editor), path, &error));
  g_assert_no_error (error);
  g_test_message ("saved %s", path);
  if (save_dir == NULL)
    g_unlink (path);

  /* A path chosen under Try It fills the mapping field. */
  g_assert_true (portico_connector_editor_use_path (editor, "role", "userName"));
  g_assert_cmpstr (portico_connector_editor_get_mapping (editor, "role"), ==, "userName");
  g_assert_false (portico_connector_editor_use_path (editor, "role", "no.such.path"));
  portico_connector_editor_use_path (editor, "role", "title");
  portico_connector_editor_set_text (editor, "/data_types/users/map/role", "title");


  /* Save: in the catalog at once, as a custom connector; the window closes. */
  g_assert_true (portico_test_wait_until (can_save, editor, 5000));
  definition = portico_connector_editor_dup_definition (editor);
  g_assert_nonnull (strstr (definition, "\"role\" : \"title\""));
  g_object_add_weak_pointer (G_OBJECT (editor), &weak);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  g_assert_true (portico_test_wait_until (is_null, &weak, 5000));
  saved = portico_catalog_lookup (f->catalog, "scim-app");
  g_assert_nonnull (saved);
  g_assert_true (portico_connector_is_custom (saved));
  g_assert_true (portico_engine_delete_custom_connector (f->engine, "scim-app", &error));
  g_assert_no_error (error);
}

/* Cancel stops a running Try It quietly; a rejected token is explained
 * inline with the service's reason. */
static void
test_try_cancel_and_error (Fixture       *f,
                           gconstpointer  data)
{
  PorticoConnectorEditor *editor = open_editor (f);
  const char *message;

  portico_connector_editor_start_from_scim (editor);
  g_assert_true (portico_test_wait_until (can_save, editor, 5000));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.try", NULL));
  g_assert_true (portico_connector_editor_is_trying (editor));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.cancel-try", NULL));
  g_assert_true (portico_test_wait_until (not_trying, editor, 20000));
  g_assert_null (portico_connector_editor_get_try_error (editor));
  g_assert_cmpuint (portico_connector_editor_get_n_try_rows (editor), ==, 0);

  /* The sandbox's SCIM service refuses this token. */
  portico_connector_editor_set_try_value (editor, "bearer_token", "sandbox-bad");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.try", NULL));
  g_assert_true (portico_test_wait_until (not_trying, editor, 20000));
  message = portico_connector_editor_get_try_error (editor);
  g_test_message ("try error: %s", message);
  g_assert_nonnull (message);
  g_assert_cmpuint (portico_connector_editor_get_n_try_rows (editor), ==, 0);
  gtk_window_destroy (GTK_WINDOW (editor));
}

typedef struct
{
  PorticoConnectorEditor *editor;
  const char             *pointer;
} ProblemWait;

static gboolean
has_problem_at (gpointer data)
{
  ProblemWait *wait = data;

  return portico_connector_editor_get_problem_at (wait->editor, wait->pointer) != NULL;
}

/* The problem the check shows at @pointer's row, or NULL if none comes. */
static const char *
wait_for_problem (PorticoConnectorEditor *editor,
                  const char             *pointer)
{
  ProblemWait wait = { editor, pointer };

  portico_test_wait_until (has_problem_at, &wait, 5000);
  return portico_connector_editor_get_problem_at (editor, pointer);
}

/* The draft's "auth" object, as saved. transfer full. */
static JsonObject *
dup_draft_auth (PorticoConnectorEditor *editor,
                JsonArray             **fields)
{
  g_autofree char *definition = portico_connector_editor_dup_definition (editor);
  g_autoptr(JsonNode) root = json_from_string (definition, NULL);
  JsonObject *def;

  g_assert_nonnull (root);
  def = json_node_get_object (root);
  if (fields != NULL)
    *fields = json_array_ref (json_object_get_array_member (def, "fields"));
  return json_object_ref (json_object_get_object_member (def, "auth"));
}

static JsonObject *
find_field (JsonArray  *fields,
            const char *id)
{
  for (guint i = 0; i < json_array_get_length (fields); i++)
    {
      JsonObject *field = json_array_get_object_element (fields, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (field, "id", NULL), id) == 0)
        return field;
    }
  return NULL;
}

static void
select_auth (PorticoConnectorEditor *editor,
             guint                   position)
{
  AdwComboRow *row = ADW_COMBO_ROW (gtk_widget_get_template_child (GTK_WIDGET (editor),
                                                                   PORTICO_TYPE_CONNECTOR_EDITOR,
                                                                   "auth_row"));

  adw_combo_row_set_selected (row, position);
}

static guint
selected_auth (PorticoConnectorEditor *editor)
{
  return adw_combo_row_get_selected (ADW_COMBO_ROW (gtk_widget_get_template_child (GTK_WIDGET (editor),
                                                                                   PORTICO_TYPE_CONNECTOR_EDITOR,
                                                                                   "auth_row")));
}

/* Positions in the Authentication row. */
enum { AUTH_ROW_BODY = 5, AUTH_ROW_SERVICE_ACCOUNT = 6 };

/* Credentials in the body and a service-account key file can be chosen,
 * give the auth object and fields the runtime needs, and their members are
 * edited (and refused) at their own rows. */
static void
test_auth_body_and_jwt (Fixture       *f,
                        gconstpointer  data)
{
  PorticoConnectorEditor *editor = open_editor (f);
  g_autoptr(JsonObject) auth = NULL;
  g_autoptr(JsonArray) fields = NULL;
  JsonObject *members;
  JsonArray *scopes;
  const char *problem;

  portico_connector_editor_start_from_scim (editor);
  g_assert_true (portico_test_wait_until (can_save, editor, 5000));

  /* Credentials in the body: an API key member and its secret field. */
  select_auth (editor, AUTH_ROW_BODY);
  auth = dup_draft_auth (editor, &fields);
  g_assert_cmpstr (json_object_get_string_member (auth, "scheme"), ==, "body");
  members = json_object_get_object_member (auth, "fields");
  g_assert_nonnull (members);
  g_assert_cmpstr (json_object_get_string_member (members, "api_key"), ==, "{api_key}");
  g_assert_nonnull (find_field (fields, "api_key"));
  g_assert_cmpstr (json_object_get_string_member (find_field (fields, "api_key"), "type"), ==, "secret");
  g_assert_null (find_field (fields, "bearer_token"));
  g_assert_true (portico_test_wait_until (can_save, editor, 5000));

  /* Members that are no JSON object: explained at their row. */
  portico_connector_editor_set_text (editor, "/auth/fields", "api_key={api_key}");
  problem = wait_for_problem (editor, "/auth/fields");
  g_test_message ("at /auth/fields: %s", problem);
  g_assert_nonnull (problem);
  g_assert_false (portico_connector_editor_can_save (editor));

  /* Nested members, as Expensify sends them. */
  portico_connector_editor_set_text (editor, "/auth/fields", "{\"credentials\": {\"partnerUserSecret\": \"{api_key}\"}}");
  g_assert_true (portico_test_wait_until (can_save, editor, 5000));
  g_clear_pointer (&auth, json_object_unref);
  g_clear_pointer (&fields, json_array_unref);
  auth = dup_draft_auth (editor, NULL);
  members = json_object_get_object_member (json_object_get_object_member (auth, "fields"), "credentials");
  g_assert_cmpstr (json_object_get_string_member (members, "partnerUserSecret"), ==, "{api_key}");

  /* A service-account key: a file field the key_field names. */
  select_auth (editor, AUTH_ROW_SERVICE_ACCOUNT);
  g_clear_pointer (&auth, json_object_unref);
  auth = dup_draft_auth (editor, &fields);
  g_assert_cmpstr (json_object_get_string_member (auth, "scheme"), ==, "oauth2_jwt_bearer");
  g_assert_cmpstr (json_object_get_string_member (auth, "key_field"), ==, "service_account_key");
  g_assert_false (json_object_has_member (auth, "fields"));
  g_assert_nonnull (find_field (fields, "service_account_key"));
  g_assert_cmpstr (json_object_get_string_member (find_field (fields, "service_account_key"), "type"), ==, "file");
  g_assert_null (find_field (fields, "api_key"));
  g_assert_true (portico_test_wait_until (can_save, editor, 5000));

  /* A key field no field declares: refused at its row, naming the fix. */
  portico_connector_editor_set_text (editor, "/auth/key_field", "key_file");
  problem = wait_for_problem (editor, "/auth/key_field");
  g_test_message ("at /auth/key_field: %s", problem);
  g_assert_nonnull (problem);
  g_assert_nonnull (strstr (problem, "key_file"));
  g_assert_false (portico_connector_editor_can_save (editor));

  portico_connector_editor_set_text (editor, "/auth/key_field", "service_account_key");
  portico_connector_editor_set_text (editor, "/auth/subject", "admin@example.com");
  portico_connector_editor_set_text (editor, "/auth/scopes", "https://www.googleapis.com/auth/admin.directory.user.readonly");
  g_assert_true (portico_test_wait_until (can_save, editor, 5000));
  g_assert_null (portico_connector_editor_get_problem_at (editor, "/auth/key_field"));
  g_clear_pointer (&auth, json_object_unref);
  auth = dup_draft_auth (editor, NULL);
  g_assert_cmpstr (json_object_get_string_member (auth, "subject"), ==, "admin@example.com");
  scopes = json_object_get_array_member (auth, "scopes");
  g_assert_cmpuint (json_array_get_length (scopes), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (scopes, 0), ==,
                   "https://www.googleapis.com/auth/admin.directory.user.readonly");
  gtk_window_destroy (GTK_WINDOW (editor));
}

/* A shipped definition with such a scheme, saved as a custom connector and
 * opened in the editor: the row shows its scheme and Save writes the same
 * auth object back. */
static void
check_round_trip (Fixture    *f,
                  const char *file_name,
                  guint       position)
{
  g_autofree char *path = g_build_filename (g_getenv ("PORTICO_CONNECTORS_DIR"), file_name, NULL);
  g_autofree char *contents = NULL;
  g_autofree char *custom_id = NULL;
  g_autofree char *data = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) saved_root = NULL;
  g_autoptr(GBytes) saved = NULL;
  g_autofree char *saved_text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PorticoConnector) connector = NULL;
  PorticoConnectorEditor *editor;
  JsonObject *def;
  JsonNode *saved_auth;
  gpointer weak;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  root = json_from_string (contents, &error);
  g_assert_no_error (error);
  def = json_node_get_object (root);
  custom_id = g_strconcat (json_object_get_string_member (def, "id"), "-copy", NULL);
  json_object_set_string_member (def, "id", custom_id);
  data = json_to_string (root, TRUE);
  connector = portico_engine_save_custom_connector (f->engine, data, -1, file_name, &error);
  g_assert_no_error (error);
  g_assert_nonnull (connector);

  editor = portico_connector_editor_new (NULL, f->engine, f->sandbox, custom_id, &error);
  g_assert_no_error (error);
  gtk_window_present (GTK_WINDOW (editor));
  g_assert_true (portico_test_wait_until (is_mapped, editor, 10000));
  g_assert_cmpuint (selected_auth (editor), ==, position);
  g_assert_true (portico_test_wait_until (can_save, editor, 5000));

  weak = editor;
  g_object_add_weak_pointer (G_OBJECT (editor), &weak);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  g_assert_true (portico_test_wait_until (is_null, &weak, 5000));

  saved = portico_engine_export_connector (f->engine, custom_id, &error);
  g_assert_no_error (error);
  saved_text = g_strndup (g_bytes_get_data (saved, NULL), g_bytes_get_size (saved));
  saved_root = json_from_string (saved_text, &error);
  g_assert_no_error (error);
  saved_auth = json_object_get_member (json_node_get_object (saved_root), "auth");
  g_assert_true (json_node_equal (saved_auth, json_object_get_member (def, "auth")));
  g_assert_true (json_node_equal (json_object_get_member (json_node_get_object (saved_root), "fields"),
                                  json_object_get_member (def, "fields")));
  g_assert_true (portico_engine_delete_custom_connector (f->engine, custom_id, &error));
  g_assert_no_error (error);
}

static void
test_auth_round_trip (Fixture       *f,
                      gconstpointer  data)
{
  check_round_trip (f, "google-workspace.json", AUTH_ROW_SERVICE_ACCOUNT);
  check_round_trip (f, "lastpass.json", AUTH_ROW_BODY);
  check_round_trip (f, "expensify.json", AUTH_ROW_BODY);
}

/* An icon chosen from a file travels in the definition as a PNG data
 * address; tiles and the editor show it, anything else is no image. */
static void
test_icon_data_uri (void)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, 12, 10);
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *buffer = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *uri = NULL;
  gsize length = 0;

  gdk_pixbuf_fill (pixbuf, 0x3584e4ff);
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "png", NULL, NULL));
  encoded = g_base64_encode ((const guchar *) buffer, length);
  uri = g_strconcat ("data:image/png;base64,", encoded, NULL);
  texture = portico_icon_texture_from_data_uri (uri);
  g_assert_nonnull (texture);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 12);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 10);

  g_assert_null (portico_icon_texture_from_data_uri (NULL));
  g_assert_null (portico_icon_texture_from_data_uri ("okta"));
  g_assert_null (portico_icon_texture_from_data_uri ("data:image/png;base64,bm90IGEgcG5n"));
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_home = g_dir_make_tmp ("portico-editor-data-XXXXXX", NULL);
  g_autofree char *connectors = NULL;
  g_autofree char *portico = NULL;
  int status;

  /* GSETTINGS_SCHEMA_DIR holds Portico's schema only: the GNOME proxy
   * resolver would abort looking up its own. Loopback needs no proxy. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  /* Saved definitions go to a data folder of this run (not
   * G_TEST_OPTION_ISOLATE_DIRS, which hides the icon theme). */
  g_assert_nonnull (data_home);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      /* With protocol: 'tap' an exit status of 77 counts as an error. */
      printf ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;
    }
  adw_init ();

#define ADD(name, func) \
  g_test_add ("/connector-editor/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("problems", test_problems);
  ADD ("scim-try-save", test_scim_try_save);
  ADD ("try-cancel-and-error", test_try_cancel_and_error);
  ADD ("auth-body-and-jwt", test_auth_body_and_jwt);
  ADD ("auth-round-trip", test_auth_round_trip);
  g_test_add_func ("/connector-editor/icon-data-uri", test_icon_data_uri);
#undef ADD

  status = g_test_run ();
  portico = g_build_filename (data_home, "portico", NULL);
  connectors = g_build_filename (portico, "connectors", NULL);
  g_rmdir (connectors);
  g_rmdir (portico);
  g_rmdir (data_home);
  return status;
}
