/* test-connector-editor.c: the custom-integration editor, as a widget.
 *
 * Against the sandbox's SCIM 2.0 service (in-process): a new draft shows
 * its problems at their fields and cannot be saved; "Start from SCIM 2.0"
 * leaves nothing to fix; Try It shows the first records mapped and the
 * paths to pick; a picked path fills the focused mapping; Save puts the
 * connector in the catalog. The editor with Try It's results is saved as
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
