/* test-connect-dialog.c: the connect dialog against the in-process sandbox,
 * with a real engine over a temporary SQLite file, under a real display.
 *
 * Keyring steps (connect, the secret in the keyring and nowhere in the
 * database file) run only with PORTICO_TEST_KEYRING=1, which
 * build-aux/keyring-run sets after unlocking a throwaway keyring.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-connect-dialog"

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "portico-application.h"
#include "portico-connect-dialog.h"
#include "portico-credentials.h"
#include "portico-sandbox-server.h"

typedef struct
{
  char           *tmpdir;
  char           *db_path;
  PorticoCatalog *catalog;
  PorticoSandbox *sandbox;
  PorticoStore   *store;
  PorticoEngine  *engine;
  PorticoConnector *connector; /* one with a plan failure, so all outcomes exist */
} Fixture;

static char *
connectors_dir (void)
{
  const char *dir = g_getenv ("PORTICO_CONNECTORS_DIR");

  if (dir != NULL && g_file_test (dir, G_FILE_TEST_IS_DIR))
    return g_strdup (dir);

  return g_test_build_filename (G_TEST_DIST, "fixtures", "connectors", NULL);
}

typedef gboolean (*Condition) (gpointer data);

static gboolean
wait_until (Condition condition,
            gpointer  data,
            guint     timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!condition (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }

  return TRUE;
}

static gboolean
not_testing (gpointer data)
{
  return !portico_connect_dialog_is_testing (data);
}

static gboolean
is_null (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
api_base_url_filled (gpointer data)
{
  GtkWidget *row = portico_connect_dialog_get_field_row (data, "api_base_url");

  return *gtk_editable_get_text (GTK_EDITABLE (row)) != '\0';
}

static gboolean
has_error (gpointer data)
{
  return portico_connect_dialog_get_error_message (data) != NULL;
}

static gboolean
flag_set (gpointer data)
{
  return *(gint64 *) data != 0;
}

/* A connector with a test whose sandbox makes some data type fail under the
 * plan secret; Slack when it qualifies, for a stable screenshot. */
static PorticoConnector *
pick_connector (PorticoCatalog *catalog,
                PorticoSandbox *sandbox)
{
  g_auto(GStrv) ids = portico_sandbox_get_connector_ids (sandbox);
  PorticoConnector *fallback = NULL;

  for (guint i = 0; ids[i] != NULL; i++)
    {
      PorticoConnector *connector = portico_catalog_lookup (catalog, ids[i]);
      g_auto(GStrv) failures = portico_sandbox_get_plan_failures (sandbox, ids[i]);

      if (connector == NULL || !portico_connector_has_test (connector) ||
          failures == NULL || failures[0] == NULL)
        continue;
      if (g_str_equal (ids[i], "slack"))
        return connector;
      if (fallback == NULL)
        fallback = connector;
    }

  return fallback;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *dir = connectors_dir ();
  g_autoptr(PorticoRuntime) runtime = portico_runtime_new ();
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("portico-connect-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->tmpdir, "portico.db", NULL);

  f->catalog = portico_catalog_new ();
  g_assert_cmpuint (portico_catalog_load_dir (f->catalog, dir, FALSE), >, 0);

  f->sandbox = portico_sandbox_new (f->catalog, 1, 0);
  g_assert_true (portico_sandbox_start (f->sandbox, 0, &error));
  g_assert_no_error (error);

  f->store = portico_store_open (f->db_path, &error);
  g_assert_no_error (error);
  f->engine = portico_engine_new (f->store, f->catalog, runtime);

  f->connector = pick_connector (f->catalog, f->sandbox);
  g_assert_nonnull (f->connector);
  g_test_message ("connector: %s", portico_connector_get_id (f->connector));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&f->engine);
  g_clear_object (&f->store);
  portico_sandbox_stop (f->sandbox);
  g_clear_object (&f->sandbox);
  g_clear_object (&f->catalog);

  dir = g_dir_open (f->tmpdir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->tmpdir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (f->tmpdir);
  g_free (f->db_path);
  g_free (f->tmpdir);
}

static PorticoConnectDialog *
open_dialog (Fixture  *f,
             gboolean  demo)
{
  PorticoConnectDialog *dialog = portico_connect_dialog_new (f->engine, f->connector,
                                                             demo ? f->sandbox : NULL, 0);

  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (wait_until (is_mapped, dialog, 10000));
  return dialog;
}

static void
close_dialog (PorticoConnectDialog *dialog)
{
  gpointer weak = dialog;

  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (wait_until (is_null, &weak, 5000));
}

/* The first secret field of the connector. */
static const char *
secret_field (PorticoConnector *connector)
{
  GPtrArray *fields = portico_connector_get_fields (connector);

  for (guint i = 0; i < fields->len; i++)
    {
      const PorticoConnectorField *field = g_ptr_array_index (fields, i);

      if (field->type == PORTICO_FIELD_SECRET)
        return field->id;
    }

  g_assert_not_reached ();
}

static void
set_secrets (Fixture              *f,
             PorticoConnectDialog *dialog,
             const char           *kind)
{
  g_autoptr(GHashTable) values = portico_sandbox_get_field_values (f->sandbox, portico_connector_get_id (f->connector), kind);
  GPtrArray *fields = portico_connector_get_fields (f->connector);

  for (guint i = 0; i < fields->len; i++)
    {
      const PorticoConnectorField *field = g_ptr_array_index (fields, i);

      if (field->type == PORTICO_FIELD_SECRET)
        portico_connect_dialog_set_field_value (dialog, field->id, g_hash_table_lookup (values, field->id));
    }
}

static PorticoConnectionOutcome
run_test (PorticoConnectDialog *dialog)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.test", NULL));
  g_assert_true (portico_connect_dialog_is_testing (dialog));
  g_assert_false (gtk_widget_get_sensitive (portico_connect_dialog_get_connect_button (dialog)));
  g_assert_true (wait_until (not_testing, dialog, 20000));
  return portico_connect_dialog_get_outcome (dialog);
}

static const char *
accessible_label (GtkWidget *widget)
{
  /* GTK 4.8 has no getter for accessible properties; the dialog keeps the
   * button's label child in step with it, so compare the visible text. */
  GtkWidget *child = gtk_button_get_child (GTK_BUTTON (widget));

  return gtk_label_get_label (GTK_LABEL (child));
}

/* Scrolls the dialog so that @widget is near the top. */
static void
scroll_to (GtkWidget *widget)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  graphene_point_t point;

  g_assert_nonnull (scrolled);
  g_assert_true (gtk_widget_compute_point (widget, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled)),
                                           &GRAPHENE_POINT_INIT (0, 0), &point));
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  gtk_adjustment_set_value (adjustment, point.y - 48);
}

static void
test_fields (Fixture       *f,
             gconstpointer  data)
{
  PorticoConnectDialog *dialog = open_dialog (f, FALSE);
  GPtrArray *fields = portico_connector_get_fields (f->connector);
  g_autoptr(GPtrArray) read_fields = portico_connector_get_fields_for_permission (f->connector, "read");
  g_auto(GStrv) permissions = portico_connector_get_permissions (f->connector);
  g_autofree char *message = NULL;
  const char *text_field = NULL;

  g_assert_cmpstr (portico_connect_dialog_get_permission (dialog), ==, "read");

  /* One row per field asked at Read, of the kind the type asks for. */
  for (guint i = 0; i < fields->len; i++)
    {
      const PorticoConnectorField *field = g_ptr_array_index (fields, i);
      GtkWidget *row = portico_connect_dialog_get_field_row (dialog, field->id);
      gboolean asked = g_str_equal (field->id, "api_base_url");

      for (guint j = 0; j < read_fields->len; j++)
        if (g_str_equal (((PorticoConnectorField *) g_ptr_array_index (read_fields, j))->id, field->id))
          asked = TRUE;

      if (!asked)
        {
          g_assert_null (row);
          continue;
        }

      g_assert_nonnull (row);
      g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, field->label);
      switch (field->type)
        {
        case PORTICO_FIELD_SECRET:
          g_assert_true (ADW_IS_PASSWORD_ENTRY_ROW (row));
          break;
        case PORTICO_FIELD_CHOICE:
          g_assert_true (ADW_IS_COMBO_ROW (row));
          break;
        default:
          g_assert_true (ADW_IS_ENTRY_ROW (row));
          g_assert_false (ADW_IS_PASSWORD_ENTRY_ROW (row));
          if (field->pattern != NULL && text_field == NULL && !g_str_equal (field->id, "api_base_url"))
            text_field = field->id;
          break;
        }
    }

  /* Act asks for the fields restricted to it. */
  if (g_strv_contains ((const char * const *) permissions, "act"))
    {
      g_autoptr(GPtrArray) act_fields = portico_connector_get_fields_for_permission (f->connector, "act");

      portico_connect_dialog_set_permission (dialog, "act");
      for (guint j = 0; j < act_fields->len; j++)
        g_assert_nonnull (portico_connect_dialog_get_field_row (dialog, ((PorticoConnectorField *) g_ptr_array_index (act_fields, j))->id));
      portico_connect_dialog_set_permission (dialog, "read");
    }

  /* Validation as you type: a bad value shows the reason at the field. */
  if (text_field == NULL)
    text_field = secret_field (f->connector);
  g_assert_null (portico_connect_dialog_get_field_error (dialog, text_field));
  gtk_editable_set_text (GTK_EDITABLE (portico_connect_dialog_get_field_row (dialog, text_field)), "not valid at all !");
  g_assert_nonnull (portico_connect_dialog_get_field_error (dialog, text_field));
  g_assert_true (gtk_widget_has_css_class (portico_connect_dialog_get_field_row (dialog, text_field), "error"));
  g_test_message ("validation: %s", portico_connect_dialog_get_field_error (dialog, text_field));
  {
    g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "connect-validation.png", NULL);
    g_autoptr(GError) error = NULL;

    gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
    scroll_to (portico_connect_dialog_get_field_row (dialog, text_field));
    gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
    gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
    g_assert_true (portico_widget_save_png (GTK_WIDGET (dialog), path, &error));
    g_assert_no_error (error);
  }

  /* Test refuses to run with an invalid field. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.test", NULL));
  g_assert_false (portico_connect_dialog_is_testing (dialog));
  g_assert_null (portico_connect_dialog_get_test (dialog));

  /* api_base_url refuses plain http to a non-loopback host. */
  gtk_editable_set_text (GTK_EDITABLE (portico_connect_dialog_get_field_row (dialog, "api_base_url")), "http://example.com");
  g_assert_nonnull (portico_connect_dialog_get_field_error (dialog, "api_base_url"));
  gtk_editable_set_text (GTK_EDITABLE (portico_connect_dialog_get_field_row (dialog, "api_base_url")), "");
  g_assert_null (portico_connect_dialog_get_field_error (dialog, "api_base_url"));

  /* Delegate names the connector, every field and no value typed. */
  message = portico_connect_build_delegate_message (f->connector, "read");
  g_assert_nonnull (strstr (message, portico_connector_get_name (f->connector)));
  for (guint j = 0; j < read_fields->len; j++)
    {
      const PorticoConnectorField *field = g_ptr_array_index (read_fields, j);

      if (!g_str_equal (field->id, "api_base_url"))
        g_assert_nonnull (strstr (message, field->label));
    }
  g_assert_null (strstr (message, "not valid at all"));
  g_assert_null (strstr (message, PORTICO_SANDBOX_SECRET_OK));
  {
    g_autofree char *uri = portico_connect_build_delegate_uri (f->connector, "read");
    g_autofree char *body = NULL;
    const char *at = strstr (uri, "&body=");

    g_assert_true (g_str_has_prefix (uri, "mailto:?subject="));
    g_assert_null (strchr (uri, ' '));
    g_assert_null (strchr (uri, '\n'));
    g_assert_nonnull (at);
    body = g_uri_unescape_string (at + strlen ("&body="), NULL);
    g_assert_cmpstr (body, ==, message);
  }

  close_dialog (dialog);
}

static void
test_demo_prefill (Fixture       *f,
                   gconstpointer  data)
{
  PorticoConnectDialog *dialog = open_dialog (f, TRUE);
  g_autoptr(GHashTable) ok = portico_sandbox_get_field_values (f->sandbox, portico_connector_get_id (f->connector), "ok");
  const char *secret = secret_field (f->connector);

  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (portico_connect_dialog_get_field_row (dialog, secret))), ==,
                   g_hash_table_lookup (ok, secret));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (portico_connect_dialog_get_field_row (dialog, "api_base_url"))), ==,
                   portico_sandbox_get_base_url (f->sandbox, portico_connector_get_id (f->connector)));
  /* Nothing tested yet: Connect waits for a test. */
  g_assert_false (gtk_widget_get_sensitive (portico_connect_dialog_get_connect_button (dialog)));
  g_assert_true (gtk_widget_get_sensitive (portico_connect_dialog_get_test_button (dialog)));

  close_dialog (dialog);
}

static void
test_outcome_a (Fixture       *f,
                gconstpointer  data)
{
  PorticoConnectDialog *dialog = open_dialog (f, TRUE);
  g_auto(GStrv) data_types = portico_connector_get_data_types (f->connector);
  GtkWidget *connect = portico_connect_dialog_get_connect_button (dialog);

  g_assert_cmpint (run_test (dialog), ==, PORTICO_CONNECTION_OUTCOME_A);
  g_assert_true (gtk_widget_get_sensitive (connect));
  g_assert_cmpstr (accessible_label (connect), ==, "_Connect");

  /* Every data type says how many items the first page had. */
  for (guint i = 0; data_types[i] != NULL; i++)
    {
      GtkWidget *row = portico_connect_dialog_get_test_row (dialog, data_types[i]);
      g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT " item",
                                                   portico_connection_test_get_data_type_items (portico_connect_dialog_get_test (dialog), data_types[i]));

      g_assert_nonnull (row);
      g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), expected));
    }

  /* The account name defaults to the provider's name for it. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (portico_connect_dialog_get_name_row (dialog))), ==,
                   portico_connection_test_get_display_name (portico_connect_dialog_get_test (dialog)));

  /* Editing a field after the test invalidates it. */
  set_secrets (f, dialog, "plan");
  g_assert_cmpint (portico_connect_dialog_get_outcome (dialog), ==, PORTICO_CONNECTION_OUTCOME_NONE);
  g_assert_false (gtk_widget_get_sensitive (connect));

  close_dialog (dialog);
}

static void
test_outcome_b (Fixture       *f,
                gconstpointer  data)
{
  PorticoConnectDialog *dialog = open_dialog (f, TRUE);
  g_auto(GStrv) failures = portico_sandbox_get_plan_failures (f->sandbox, portico_connector_get_id (f->connector));
  GtkWidget *connect = portico_connect_dialog_get_connect_button (dialog);
  const char *save_dir = g_getenv ("PORTICO_SCREENSHOTS_DIR");
  g_autofree char *path = g_build_filename (save_dir != NULL ? save_dir : g_get_tmp_dir (),
                                            "connect-outcome-b.png", NULL);
  g_autoptr(GError) error = NULL;

  set_secrets (f, dialog, "plan");
  g_assert_cmpint (run_test (dialog), ==, PORTICO_CONNECTION_OUTCOME_B);
  g_assert_true (gtk_widget_get_sensitive (connect));
  g_assert_cmpstr (accessible_label (connect), ==, "Connect _Anyway");
  g_assert_nonnull (strstr (portico_connect_dialog_get_outcome_message (dialog), "only the working data types will sync"));

  /* The failing data types show the provider's reason. */
  for (guint i = 0; failures[i] != NULL; i++)
    {
      const GError *reason = portico_connection_test_get_data_type_error (portico_connect_dialog_get_test (dialog), failures[i]);
      GtkWidget *row = portico_connect_dialog_get_test_row (dialog, failures[i]);

      g_assert_nonnull (reason);
      g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, reason->message);
    }

  /* The fields stay editable to fix them. */
  g_assert_true (gtk_widget_is_sensitive (portico_connect_dialog_get_field_row (dialog, secret_field (f->connector))));

  /* The picture shows the fields and the test's results. */
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  scroll_to (portico_connect_dialog_get_name_row (dialog));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  g_assert_true (portico_widget_save_png (GTK_WIDGET (dialog), path, &error));
  g_assert_no_error (error);
  g_test_message ("saved %s", path);

  close_dialog (dialog);
}

static void
test_outcome_c (Fixture       *f,
                gconstpointer  data)
{
  PorticoConnectDialog *dialog = open_dialog (f, TRUE);
  GtkWidget *connect = portico_connect_dialog_get_connect_button (dialog);

  set_secrets (f, dialog, "bad");
  g_assert_cmpint (run_test (dialog), ==, PORTICO_CONNECTION_OUTCOME_C);
  g_assert_false (gtk_widget_get_sensitive (connect));
  g_assert_nonnull (portico_connect_dialog_get_outcome_message (dialog));
  g_test_message ("outcome C: %s", portico_connect_dialog_get_outcome_message (dialog));

  /* A fixed secret and a new test enable Connect again. */
  set_secrets (f, dialog, "ok");
  g_assert_cmpint (run_test (dialog), ==, PORTICO_CONNECTION_OUTCOME_A);
  g_assert_true (gtk_widget_get_sensitive (connect));

  close_dialog (dialog);
}

/* GIO may write a new file in place: wait for all of the document. */
static gboolean
file_complete (gpointer data)
{
  g_autofree char *text = NULL;

  return g_file_get_contents (data, &text, NULL, NULL) && g_str_has_suffix (text, "}");
}

/* Save Test Report…: hidden until a test finished, then the engine's report
 * of that test, written privately, without the secret the test used. */
static void
test_save_report (Fixture       *f,
                  gconstpointer  data)
{
  PorticoConnectDialog *dialog = open_dialog (f, TRUE);
  GtkWidget *button = portico_connect_dialog_get_report_button (dialog);
  g_autoptr(GHashTable) values = portico_sandbox_get_field_values (f->sandbox, portico_connector_get_id (f->connector), "bad");
  const char *secret = g_hash_table_lookup (values, secret_field (f->connector));
  g_autofree char *path = g_build_filename (f->tmpdir, "report.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  GStatBuf st;
  JsonObject *report;

  g_assert_false (gtk_widget_get_visible (button));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.save-report", NULL) &&
                  gtk_widget_get_sensitive (button));

  set_secrets (f, dialog, "bad");
  g_assert_cmpint (run_test (dialog), ==, PORTICO_CONNECTION_OUTCOME_C);
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_true (gtk_widget_get_sensitive (button));

  portico_connect_dialog_save_report (dialog, file);
  g_assert_true (wait_until (file_complete, path, 10000));
  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_nonnull (secret);
  g_assert_null (strstr (text, secret));
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  report = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (report, "outcome"), ==, "C");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (report, "connector"), "id"), ==,
                   portico_connector_get_id (f->connector));

  /* A new test hides it until it finished. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.test", NULL));
  g_assert_false (gtk_widget_get_visible (button));
  g_assert_true (wait_until (not_testing, dialog, 20000));
  g_assert_true (gtk_widget_get_visible (button));

  close_dialog (dialog);
}

static void
test_close_cancels (Fixture       *f,
                    gconstpointer  data)
{
  PorticoConnectDialog *dialog = open_dialog (f, TRUE);
  g_autoptr(PorticoConnectionTest) test = NULL;
  gpointer weak = dialog;
  gint64 started = 0;

  /* Every request waits 60 s: only cancelling ends the test sooner. */
  portico_sandbox_set_slow_delay (f->sandbox, 60000);
  portico_sandbox_set_fault (f->sandbox, portico_connector_get_id (f->connector), PORTICO_SANDBOX_FAULT_SLOW, 100);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.test", NULL));
  g_assert_true (portico_connect_dialog_is_testing (dialog));
  test = g_object_ref (portico_connect_dialog_get_test (dialog));

  /* Let the requests reach the server. */
  started = g_get_monotonic_time ();
  while (g_get_monotonic_time () - started < 300 * 1000)
    g_main_context_iteration (NULL, FALSE);
  g_assert_true (portico_connect_dialog_is_testing (dialog));

  /* The dialog lives until the test's callback ran, i.e. until the test
   * ended: well before the slow answers would arrive. */
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (wait_until (is_null, &weak, 5000));
  g_assert_cmpint (portico_connection_test_get_outcome (test), ==, PORTICO_CONNECTION_OUTCOME_NONE);

  portico_sandbox_set_fault (f->sandbox, portico_connector_get_id (f->connector), PORTICO_SANDBOX_FAULT_NONE, 0);
}

static void
on_connected (PorticoConnectDialog *dialog,
              gint64                account_id,
              gint64                replaced,
              gint64               *out)
{
  *out = account_id;
}

/* Whether @needle occurs in the bytes of @path (missing files have none). */
static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  /* The file holds NUL bytes, so no string search will do. */
  for (gsize i = 0; i + strlen (needle) <= length; i++)
    if (memcmp (contents + i, needle, strlen (needle)) == 0)
      return TRUE;
  return FALSE;
}

static gint64
connect_with (Fixture    *f,
              const char *kind,
              PorticoConnectionOutcome expected)
{
  PorticoConnectDialog *dialog = open_dialog (f, TRUE);
  gpointer weak = dialog;
  gint64 account_id = 0;

  set_secrets (f, dialog, kind);
  g_assert_cmpint (run_test (dialog), ==, expected);
  g_signal_connect (dialog, "connected", G_CALLBACK (on_connected), &account_id);
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.connect", NULL));
  if (!wait_until (flag_set, &account_id, 30000))
    g_error ("connect did not finish: %s", portico_connect_dialog_get_error_message (dialog));
  /* The dialog closes itself after connecting. */
  g_assert_true (wait_until (is_null, &weak, 5000));

  return account_id;
}

static void
test_connect_keyring (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GHashTable) ok = portico_sandbox_get_field_values (f->sandbox, portico_connector_get_id (f->connector), "ok");
  g_autoptr(GHashTable) plan = portico_sandbox_get_field_values (f->sandbox, portico_connector_get_id (f->connector), "plan");
  g_auto(GStrv) failures = portico_sandbox_get_plan_failures (f->sandbox, portico_connector_get_id (f->connector));
  const char *secret = secret_field (f->connector);
  g_autofree char *wal = g_strconcat (f->db_path, "-wal", NULL);
  g_autoptr(JsonNode) account = NULL;
  g_autoptr(GHashTable) secrets = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *types;
  gint64 account_id;

  if (g_strcmp0 (g_getenv ("PORTICO_TEST_KEYRING"), "1") != 0)
    {
      g_test_skip ("needs an unlocked keyring (run under build-aux/keyring-run)");
      return;
    }

  /* Outcome A: the account, its data types, the secret in the keyring only. */
  account_id = connect_with (f, "ok", PORTICO_CONNECTION_OUTCOME_A);
  g_assert_cmpint (account_id, >, 0);
  account = portico_store_get_account (f->store, account_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (account), "connector"), ==,
                   portico_connector_get_id (f->connector));
  types = json_object_get_array_member (json_node_get_object (account), "data_types");
  g_assert_cmpuint (json_array_get_length (types), >, 0);
  for (guint i = 0; i < json_array_get_length (types); i++)
    g_assert_true (json_object_get_boolean_member (json_array_get_object_element (types, i), "enabled"));

  secrets = portico_credentials_lookup_sync (portico_engine_get_credentials (f->engine), account_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (secrets, secret), ==, g_hash_table_lookup (ok, secret));
  g_assert_false (file_contains (f->db_path, g_hash_table_lookup (ok, secret)));
  g_assert_false (file_contains (wal, g_hash_table_lookup (ok, secret)));

  /* Outcome B on another tenant ("-globex" is another identity), when the
   * connector allows more than one account: disabled data types with reasons. */
  if (portico_connector_get_multi_account (f->connector))
    {
      g_autoptr(JsonNode) second = NULL;
      g_autofree char *other = g_strconcat (g_hash_table_lookup (plan, secret), "-globex", NULL);
      PorticoConnectDialog *dialog = open_dialog (f, TRUE);
      gpointer weak = dialog;
      gint64 second_id = 0;

      portico_connect_dialog_set_field_value (dialog, secret, other);
      g_assert_cmpint (run_test (dialog), ==, PORTICO_CONNECTION_OUTCOME_B);
      g_signal_connect (dialog, "connected", G_CALLBACK (on_connected), &second_id);
      g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.connect", NULL));
      if (!wait_until (flag_set, &second_id, 30000))
        g_error ("connect anyway did not finish: %s", portico_connect_dialog_get_error_message (dialog));
      g_assert_true (wait_until (is_null, &weak, 5000));
      g_assert_cmpint (second_id, !=, account_id);

      second = portico_store_get_account (f->store, second_id, &error);
      g_assert_no_error (error);
      types = json_object_get_array_member (json_node_get_object (second), "data_types");
      for (guint i = 0; i < json_array_get_length (types); i++)
        {
          JsonObject *type = json_array_get_object_element (types, i);
          const char *id = json_object_get_string_member (type, "id");
          gboolean failing = g_strv_contains ((const char * const *) failures, id);

          g_assert_cmpint (json_object_get_boolean_member (type, "enabled"), ==, !failing);
          if (failing)
            g_assert_nonnull (json_object_get_string_member_with_default (type, "disabled_reason", NULL));
        }
      g_assert_false (file_contains (f->db_path, other));
      g_assert_false (file_contains (wal, other));

      portico_credentials_delete_sync (portico_engine_get_credentials (f->engine), second_id, NULL, NULL);
    }

  /* The same identity again is found at Test time, not after Connect: the
   * existing account is named and Connect becomes its Reconnect, which
   * keeps the account. */
  {
    PorticoConnectDialog *dialog = open_dialog (f, TRUE);
    g_autoptr(JsonNode) existing = portico_store_get_account (f->store, account_id, NULL);
    g_autoptr(JsonNode) accounts = NULL;
    gpointer weak = dialog;
    gint64 reconnected = 0;
    const char *message;

    set_secrets (f, dialog, "ok");
    g_assert_cmpint (run_test (dialog), ==, PORTICO_CONNECTION_OUTCOME_A);
    message = portico_connect_dialog_get_outcome_message (dialog);
    g_test_message ("second test: %s", message);
    g_assert_nonnull (strstr (message, json_object_get_string_member (json_node_get_object (existing), "name")));
    g_assert_nonnull (strstr (message, "already connected"));
    g_assert_null (strstr (message, "(account "));
    g_assert_cmpstr (accessible_label (portico_connect_dialog_get_connect_button (dialog)), ==, "_Reconnect");
    g_signal_connect (dialog, "connected", G_CALLBACK (on_connected), &reconnected);
    g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.connect", NULL));
    if (!wait_until (flag_set, &reconnected, 30000))
      g_error ("reconnect of the duplicate did not finish: %s", portico_connect_dialog_get_error_message (dialog));
    g_assert_true (wait_until (is_null, &weak, 5000));
    g_assert_cmpint (reconnected, ==, account_id);
    accounts = portico_store_list_accounts (f->store, NULL);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (accounts)), ==,
                      portico_connector_get_multi_account (f->connector) ? 2 : 1);
  }

  /* Reconnect: pre-filled except secrets; an empty secret keeps the stored
   * one; the same identity keeps the account and replaces its credentials. */
  {
    PorticoConnectDialog *dialog = portico_connect_dialog_new (f->engine, f->connector, NULL, account_id);
    gpointer weak = dialog;
    gint64 reconnected = 0;

    gtk_window_present (GTK_WINDOW (dialog));
    g_assert_true (wait_until (is_mapped, dialog, 10000));
    g_assert_true (wait_until (api_base_url_filled, dialog, 10000));
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (portico_connect_dialog_get_field_row (dialog, "api_base_url"))), ==,
                     g_hash_table_lookup (ok, "api_base_url"));
    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (portico_connect_dialog_get_field_row (dialog, secret))), ==, "");
    g_assert_null (portico_connect_dialog_get_field_error (dialog, secret));
    g_assert_false (gtk_widget_get_visible (portico_connect_dialog_get_name_row (dialog)));

    g_assert_cmpint (run_test (dialog), ==, PORTICO_CONNECTION_OUTCOME_A);
    g_assert_nonnull (strstr (portico_connect_dialog_get_outcome_message (dialog), "same account"));
    g_assert_cmpstr (accessible_label (portico_connect_dialog_get_connect_button (dialog)), ==, "_Reconnect");
    g_signal_connect (dialog, "connected", G_CALLBACK (on_connected), &reconnected);
    g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.connect", NULL));
    if (!wait_until (flag_set, &reconnected, 30000))
      g_error ("reconnect did not finish: %s", portico_connect_dialog_get_error_message (dialog));
    g_assert_true (wait_until (is_null, &weak, 5000));
    g_assert_cmpint (reconnected, ==, account_id);
  }

  portico_credentials_delete_sync (portico_engine_get_credentials (f->engine), account_id, NULL, NULL);
}

/* Enter in the last field runs Test. */
static void
test_enter_runs_test (Fixture       *f,
                      gconstpointer  data)
{
  PorticoConnectDialog *dialog = open_dialog (f, TRUE);
  GtkWidget *row = portico_connect_dialog_get_field_row (dialog, secret_field (f->connector));
  g_autoptr(GPtrArray) fields = portico_connector_get_fields_for_permission (f->connector, "read");
  const PorticoConnectorField *last = NULL;

  for (guint i = 0; i < fields->len; i++)
    if (!g_str_equal (((PorticoConnectorField *) g_ptr_array_index (fields, i))->id, "api_base_url"))
      last = g_ptr_array_index (fields, i);
  g_assert_nonnull (last);
  row = portico_connect_dialog_get_field_row (dialog, last->id);

  g_assert_false (portico_connect_dialog_is_testing (dialog));
  g_signal_emit_by_name (row, "entry-activated");
  g_assert_true (portico_connect_dialog_is_testing (dialog));
  g_assert_true (wait_until (not_testing, dialog, 20000));
  g_assert_cmpint (portico_connect_dialog_get_outcome (dialog), ==, PORTICO_CONNECTION_OUTCOME_A);

  close_dialog (dialog);
}

/* Run with a session bus that has no Secret Service (see meson.build): the
 * connect fails with one clear message, the dialog stays open and no account
 * row is left behind. */
static void
test_no_keyring (Fixture       *f,
                 gconstpointer  data)
{
  PorticoConnectDialog *dialog;
  g_autoptr(JsonNode) accounts = NULL;
  g_autoptr(GError) error = NULL;
  const char *message;

  if (g_strcmp0 (g_getenv ("PORTICO_TEST_NO_KEYRING"), "1") != 0)
    {
      g_test_skip ("runs as the connect-dialog-no-keyring test, without a Secret Service");
      return;
    }

  portico_credentials_set_timeout (portico_engine_get_credentials (f->engine), 5000);
  dialog = open_dialog (f, TRUE);
  g_assert_cmpint (run_test (dialog), ==, PORTICO_CONNECTION_OUTCOME_A);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.connect", NULL));
  g_assert_true (wait_until (has_error, dialog, 20000));
  message = portico_connect_dialog_get_error_message (dialog);
  g_test_message ("no keyring: %s", message);
  g_assert_nonnull (strstr (message, "eyring"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  /* Connect can be tried again once the keyring is fixed. */
  g_assert_true (gtk_widget_get_sensitive (portico_connect_dialog_get_connect_button (dialog)));

  accounts = portico_store_list_accounts (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (accounts)), ==, 0);

  close_dialog (dialog);
}

/* A connector without a connection test connects directly: the dialog has
 * no Test, Connect is available at once, and a rejected key is still
 * refused with its reason (the identity is read before anything is saved). */
static void
test_without_test (void)
{
  g_autofree char *dir = connectors_dir ();
  g_autofree char *path = g_build_filename (dir, "slack.json", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *data = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(PorticoConnector) connector = NULL;
  g_autoptr(PorticoCatalog) catalog = portico_catalog_new ();
  g_autoptr(PorticoSandbox) sandbox = NULL;
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(PorticoEngine) engine = NULL;
  g_autoptr(PorticoRuntime) runtime = portico_runtime_new ();
  g_autoptr(JsonNode) accounts = NULL;
  g_autoptr(GError) error = NULL;
  PorticoConnectDialog *dialog;
  gint64 account_id = 0;
  gpointer weak;

  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_true (json_parser_load_from_data (parser, contents, -1, &error));
  json_object_set_boolean_member (json_node_get_object (json_parser_get_root (parser)), "test", FALSE);
  json_generator_set_root (generator, json_parser_get_root (parser));
  data = json_generator_to_data (generator, NULL);
  connector = portico_connector_new_from_data (data, -1, "slack.json", FALSE, &error);
  g_assert_no_error (error);
  g_assert_false (portico_connector_has_test (connector));
  g_assert_true (portico_catalog_add (catalog, connector));

  sandbox = portico_sandbox_new (catalog, 1, 0);
  g_assert_true (portico_sandbox_start (sandbox, 0, &error));
  tmpdir = g_dir_make_tmp ("portico-connect-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (tmpdir, "portico.db", NULL);
  store = portico_store_open (db_path, &error);
  g_assert_no_error (error);
  engine = portico_engine_new (store, catalog, runtime);

  dialog = portico_connect_dialog_new (engine, connector, sandbox, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (wait_until (is_mapped, dialog, 10000));
  g_assert_false (gtk_widget_get_mapped (portico_connect_dialog_get_test_button (dialog)));
  g_assert_true (gtk_widget_get_sensitive (portico_connect_dialog_get_connect_button (dialog)));

  /* A rejected key: Connect reports why, nothing is saved. */
  {
    g_autoptr(GHashTable) bad = portico_sandbox_get_field_values (sandbox, "slack", "bad");

    portico_connect_dialog_set_field_value (dialog, "token", g_hash_table_lookup (bad, "token"));
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.connect", NULL));
  g_assert_true (wait_until (not_testing, dialog, 20000));
  g_assert_cmpint (portico_connect_dialog_get_outcome (dialog), ==, PORTICO_CONNECTION_OUTCOME_C);
  g_assert_nonnull (portico_connect_dialog_get_outcome_message (dialog));
  accounts = portico_store_list_accounts (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (accounts)), ==, 0);

  if (g_strcmp0 (g_getenv ("PORTICO_TEST_KEYRING"), "1") == 0)
    {
      g_autoptr(GHashTable) ok = portico_sandbox_get_field_values (sandbox, "slack", "ok");

      portico_connect_dialog_set_field_value (dialog, "token", g_hash_table_lookup (ok, "token"));
      g_assert_true (gtk_widget_get_sensitive (portico_connect_dialog_get_connect_button (dialog)));
      g_signal_connect (dialog, "connected", G_CALLBACK (on_connected), &account_id);
      weak = dialog;
      g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.connect", NULL));
      if (!wait_until (flag_set, &account_id, 30000))
        g_error ("connect did not finish: %s", portico_connect_dialog_get_error_message (dialog));
      g_assert_true (wait_until (is_null, &weak, 5000));
      portico_credentials_delete_sync (portico_engine_get_credentials (engine), account_id, NULL, NULL);
    }
  else
    close_dialog (dialog);

  g_clear_object (&engine);
  g_clear_object (&store);
  portico_sandbox_stop (sandbox);
  {
    g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

    g_unlink (db_path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (tmpdir);
  }
}

static gboolean
sign_in_waiting (gpointer data)
{
  return portico_connect_dialog_get_sign_in_address (data) != NULL;
}

static void
fetched_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);

  g_assert_no_error (error);
  *(GBytes **) user_data = g_steal_pointer (&body);
}

static gboolean
is_nonnull (gpointer data)
{
  return *(gpointer *) data != NULL;
}

/* A connector that signs in through the browser (SPEC 11), in demo mode:
 * Test becomes "Sign in", the dialog waits with the address, Copy Address
 * and Cancel (the picture of that state is saved for the README), the
 * test plays the browser by fetching the address (the sandbox's consent
 * page sends it back to the dialog's loopback listener), and the usual
 * connection test follows. A second sign-in is cancelled from the waiting
 * state. */
static void
test_sign_in (void)
{
  g_autofree char *dir = g_test_build_filename (G_TEST_DIST, "..", "connectors", NULL);
  g_autofree char *tmpdir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *path = NULL;
  g_autoptr(PorticoCatalog) catalog = portico_catalog_new ();
  g_autoptr(PorticoRuntime) runtime = portico_runtime_new ();
  g_autoptr(PorticoSandbox) sandbox = NULL;
  g_autoptr(PorticoStore) store = NULL;
  g_autoptr(PorticoEngine) engine = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  const char *save_dir = g_getenv ("PORTICO_SCREENSHOTS_DIR");
  PorticoConnector *connector;
  PorticoConnectDialog *dialog;
  gpointer weak;

  tmpdir = g_dir_make_tmp ("portico-sign-in-XXXXXX", &error);
  g_assert_no_error (error);
  db_path = g_build_filename (tmpdir, "portico.db", NULL);
  g_assert_cmpuint (portico_catalog_load_dir (catalog, dir, FALSE), >, 0);
  connector = portico_catalog_lookup (catalog, "dropbox");
  g_assert_nonnull (connector);
  g_assert_true (portico_connector_signs_in (connector));
  sandbox = portico_sandbox_new (catalog, 1, 0);
  g_assert_true (portico_sandbox_start (sandbox, 0, &error));
  g_assert_no_error (error);
  store = portico_store_open (db_path, &error);
  g_assert_no_error (error);
  engine = portico_engine_new (store, catalog, runtime);

  dialog = portico_connect_dialog_new (engine, connector, sandbox, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (wait_until (is_mapped, dialog, 10000));
  g_assert_null (portico_connect_dialog_get_sign_in_address (dialog));

  /* Test signs in first: the waiting state shows where to go. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.test", NULL));
  g_assert_true (portico_connect_dialog_is_testing (dialog));
  g_assert_true (wait_until (sign_in_waiting, dialog, 10000));
  address = g_strdup (portico_connect_dialog_get_sign_in_address (dialog));
  g_test_message ("sign-in address: %s", address);
  g_assert_true (g_str_has_prefix (address, portico_sandbox_get_base_url (sandbox, "dropbox")) ||
                 strstr (address, "127.0.0.1") != NULL);
  g_assert_nonnull (strstr (address, "code_challenge="));
  g_assert_nonnull (strstr (address, "state="));
  g_assert_nonnull (strstr (portico_connect_dialog_get_outcome_message (dialog), "browser"));
  g_assert_false (gtk_widget_get_sensitive (portico_connect_dialog_get_connect_button (dialog)));

  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  scroll_to (portico_connect_dialog_get_test_row (dialog, "connection"));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (dialog));
  path = g_build_filename (save_dir != NULL ? save_dir : tmpdir, "connect-sign-in.png", NULL);
  g_assert_true (portico_widget_save_png (GTK_WIDGET (dialog), path, &error));
  g_assert_no_error (error);
  g_test_message ("saved %s", path);

  /* The browser: the consent page redirects to the loopback listener. */
  message = soup_message_new ("GET", address);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, fetched_cb, &body);
  g_assert_true (wait_until (is_nonnull, &body, 20000));
  g_assert_cmpint (soup_message_get_status (message), ==, 200);
  g_assert_true (wait_until (not_testing, dialog, 20000));
  g_assert_null (portico_connect_dialog_get_sign_in_address (dialog));
  g_assert_cmpint (portico_connect_dialog_get_outcome (dialog), ==, PORTICO_CONNECTION_OUTCOME_A);
  g_assert_true (gtk_widget_get_sensitive (portico_connect_dialog_get_connect_button (dialog)));

  /* Signing in again, then cancelling from the waiting state. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.test", NULL));
  g_assert_true (wait_until (sign_in_waiting, dialog, 10000));
  g_assert_cmpstr (portico_connect_dialog_get_sign_in_address (dialog), !=, address);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "connect.cancel-sign-in", NULL));
  g_assert_true (wait_until (not_testing, dialog, 10000));
  g_assert_null (portico_connect_dialog_get_sign_in_address (dialog));
  g_assert_nonnull (strstr (portico_connect_dialog_get_outcome_message (dialog), "cancelled"));
  g_assert_false (gtk_widget_get_sensitive (portico_connect_dialog_get_connect_button (dialog)));

  weak = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_true (wait_until (is_null, &weak, 5000));
  g_clear_object (&engine);
  g_clear_object (&store);
  portico_sandbox_stop (sandbox);
  if (save_dir == NULL)
    g_unlink (path);
  g_unlink (db_path);
  {
    g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (tmpdir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  if (!gtk_init_check ())
    {
      /* With protocol: 'tap' an exit status of 77 counts as an error. */
      printf ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;
    }
  adw_init ();

#define ADD(name, func) \
  g_test_add ("/connect-dialog/" name, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("fields", test_fields);
  ADD ("demo-prefill", test_demo_prefill);
  ADD ("outcome-a", test_outcome_a);
  ADD ("outcome-b", test_outcome_b);
  ADD ("outcome-c", test_outcome_c);
  ADD ("close-cancels", test_close_cancels);
  ADD ("save-report", test_save_report);
  ADD ("enter-runs-test", test_enter_runs_test);
  ADD ("connect-keyring", test_connect_keyring);
  ADD ("no-keyring", test_no_keyring);
  g_test_add_func ("/connect-dialog/without-test", test_without_test);
  g_test_add_func ("/connect-dialog/sign-in", test_sign_in);
#undef ADD

  return g_test_run ();
}
