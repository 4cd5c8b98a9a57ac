/* portico-connect-dialog-test.c: the connect dialog's test: its rows, the
 * run of a PorticoConnectionTest and what its outcome says.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-connect-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-catalog-tile.h"
#include "portico-connect-dialog.h"
#include "portico-links.h"
#include "portico-errors.h"
#include "portico-jwt.h"
#include "portico-engine-profile.h"
#include "portico-oauth.h"
#include "portico-connect-dialog-private.h"

/* ---- Test rows ------------------------------------------------------------ */

static void
test_row_set (TestRow    *tr,
              RowState    state,
              const char *subtitle)
{
  static const char * const styles[] = { "success", "warning", "error", "dim-label" };
  const char *icon = NULL;
  const char *style = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (tr->image), styles[i]);

  switch (state)
    {
    case ROW_IDLE:
      icon = "radio-symbolic";
      style = "dim-label";
      break;
    case ROW_RUNNING:
      break;
    case ROW_OK:
      icon = "emblem-ok-symbolic";
      style = "success";
      break;
    case ROW_WARNING:
      icon = "dialog-warning-symbolic";
      style = "warning";
      break;
    case ROW_FAILED:
    default:
      icon = "dialog-error-symbolic";
      style = "error";
      break;
    }

  gtk_spinner_set_spinning (tr->spinner, state == ROW_RUNNING);
  if (state == ROW_RUNNING)
    gtk_stack_set_visible_child_name (tr->state, "spinner");
  else
    {
      gtk_image_set_from_icon_name (tr->image, icon);
      gtk_widget_add_css_class (GTK_WIDGET (tr->image), style);
      gtk_stack_set_visible_child_name (tr->state, "image");
    }

  adw_action_row_set_subtitle (ADW_ACTION_ROW (tr->row), subtitle);
  gtk_accessible_update_property (GTK_ACCESSIBLE (tr->row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle,
                                  -1);
}

void
portico_connect_dialog_add_test_row (PorticoConnectDialog *self,
                                     const char           *id,
                                     const char           *title)
{
  TestRow *tr = g_new0 (TestRow, 1);
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *image = gtk_image_new ();
  GtkWidget *stack = gtk_stack_new ();

  tr->row = adw_action_row_new ();
  /* Subtitles quote the provider's own error text: plain text. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (tr->row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (tr->row), title);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (tr->row), 0);
  portico_connect_dialog_set_accessible_label (tr->row, title);
  gtk_stack_add_named (GTK_STACK (stack), image, "image");
  gtk_stack_add_named (GTK_STACK (stack), spinner, "spinner");
  gtk_widget_set_valign (stack, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spinner),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Testing"),
                                  -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (tr->row), stack);
  tr->state = GTK_STACK (stack);
  tr->image = GTK_IMAGE (image);
  tr->spinner = GTK_SPINNER (spinner);
  test_row_set (tr, ROW_IDLE, _("Not tested yet"));

  adw_preferences_group_add (self->test_group, tr->row);
  g_hash_table_insert (self->test_rows, g_strdup (id), tr);
}

void
portico_connect_dialog_reset_test_rows (PorticoConnectDialog *self,
                                        RowState              state)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->test_rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    test_row_set (value, state, state == ROW_RUNNING ? _("Testing…") : _("Not tested yet"));
}

/* ---- Test ------------------------------------------------------------------ */

TestRow *
portico_connect_dialog_lookup_test_row (PorticoConnectDialog *self,
                                        const char           *id)
{
  return g_hash_table_lookup (self->test_rows, id);
}

static void
on_identity_checked (PorticoConnectionTest *test,
                     const GError          *error,
                     gpointer               user_data)
{
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (user_data);
  TestRow *tr = portico_connect_dialog_lookup_test_row (self, CONNECTION_ROW);
  g_autofree char *subtitle = NULL;

  if (tr == NULL || test != self->test)
    return;

  if (error != NULL)
    {
      test_row_set (tr, ROW_FAILED, error->message);
      return;
    }

  if (portico_connection_test_get_display_name (test) != NULL)
    subtitle = g_strdup_printf (_("Connected to “%s”"), portico_connection_test_get_display_name (test));
  else
    subtitle = g_strdup (_("The credentials work"));
  test_row_set (tr, ROW_OK, subtitle);
}

static void
on_data_type_started (PorticoConnectionTest *test,
                      const char            *data_type_id,
                      gpointer               user_data)
{
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (user_data);
  TestRow *tr = portico_connect_dialog_lookup_test_row (self, data_type_id);

  if (tr != NULL && test == self->test)
    test_row_set (tr, ROW_RUNNING, _("Testing…"));
}

static void
on_data_type_succeeded (PorticoConnectionTest *test,
                        const char            *data_type_id,
                        guint                  items,
                        gpointer               user_data)
{
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (user_data);
  TestRow *tr = portico_connect_dialog_lookup_test_row (self, data_type_id);
  g_autofree char *subtitle = NULL;

  if (tr == NULL || test != self->test)
    return;

  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%'u item on the first page",
                                           "%'u items on the first page", items),
                              items);
  test_row_set (tr, ROW_OK, subtitle);
}

static void
on_data_type_failed (PorticoConnectionTest *test,
                     const char            *data_type_id,
                     const GError          *error,
                     gpointer               user_data)
{
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (user_data);
  TestRow *tr = portico_connect_dialog_lookup_test_row (self, data_type_id);

  if (tr == NULL || test != self->test)
    return;

  test_row_set (tr,
                portico_connector_data_type_is_essential (self->connector, data_type_id) ? ROW_FAILED : ROW_WARNING,
                error != NULL ? error->message : _("This data type cannot be read"));
}


static void
describe_outcome (PorticoConnectDialog *self)
{
  PorticoConnectionOutcome outcome = portico_connection_test_get_outcome (self->test);
  const char *external_id = portico_connection_test_get_external_id (self->test);
  g_autofree char *message = NULL;
  const char *name = portico_connector_get_name (self->connector);
  const char *style = NULL;

  switch (outcome)
    {
    case PORTICO_CONNECTION_OUTCOME_A:
      message = g_strdup (_("Everything works. Connect to add the account; its first sync starts at once."));
      style = "success";
      break;

    case PORTICO_CONNECTION_OUTCOME_B:
      message = g_strdup_printf (_("Some data types of %s cannot be read with these details. Fix the details and test again, or connect anyway: only the working data types will sync, and the others are kept disabled with their reason."),
                                 name);
      style = "warning";
      break;

    case PORTICO_CONNECTION_OUTCOME_C:
    case PORTICO_CONNECTION_OUTCOME_NONE:
    default:
      {
        const GError *cause = portico_connection_test_get_connection_error (self->test);

        if (cause != NULL)
          message = g_strdup_printf (_("The connection failed: %s Fix the details and test again."), cause->message);
        else
          message = g_strdup_printf (_("The connection to %s failed, or a data type it needs could not be read. Fix the details and test again; Connect stays unavailable until a test passes."),
                                     name);
        style = "error";
      }
      break;
    }

  /* The same tenant connected twice is found now, at Test time, not after
   * Connect: the account is named and Connect becomes its Reconnect. */
  if (self->reconnect_account_id == 0 && external_id != NULL &&
      (outcome == PORTICO_CONNECTION_OUTCOME_A || outcome == PORTICO_CONNECTION_OUTCOME_B))
    {
      g_autoptr(JsonObject) existing = portico_engine_find_existing_account (self->engine, self->test, 0);

      if (existing != NULL)
        {
          g_free (message);
          /* Translators: "These credentials belong to “Acme”, which is already connected. ..." */
          message = g_strdup_printf (_("These credentials belong to “%s”, which is already connected. Reconnect it to replace its credentials; its data is kept."),
                                     json_object_get_string_member_with_default (existing, "name", ""));
          style = "warning";
          self->duplicate_found = TRUE;
          self->reconnect_account_id = json_object_get_int_member_with_default (existing, "id", 0);
          g_free (self->reconnect_external_id);
          self->reconnect_external_id = g_strdup (external_id);
          portico_connect_dialog_set_outcome_message (self, message, style);
          return;
        }
    }

  /* In reconnect mode, say beforehand which rule the reconnect will follow. */
  if (self->reconnect_account_id > 0 && external_id != NULL &&
      (outcome == PORTICO_CONNECTION_OUTCOME_A || outcome == PORTICO_CONNECTION_OUTCOME_B))
    {
      const char *rule;

      if (g_strcmp0 (external_id, self->reconnect_external_id) == 0)
        rule = _("These credentials belong to the same account: reconnecting replaces its credentials and keeps its data.");
      else if (portico_connector_get_multi_account (self->connector))
        rule = _("These credentials belong to another account: reconnecting adds it as a new account, and the current one stays connected.");
      else
        rule = _("These credentials belong to another account, and this app supports one account: reconnecting disconnects the current account (its data is removed) and creates the new one.");

      g_autofree char *joined = g_strconcat (message, "\n\n", rule, NULL);
      g_free (message);
      message = g_steal_pointer (&joined);
    }

  portico_connect_dialog_set_outcome_message (self, message, style);
}

static void
test_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  PorticoConnectionTest *test = PORTICO_CONNECTION_TEST (object);
  g_autoptr(PorticoConnectDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  PorticoConnectionOutcome outcome;
  const char *display_name;

  outcome = portico_connection_test_run_finish (test, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || test != self->test ||
      g_cancellable_is_cancelled (self->cancellable))
    return;

  self->testing = FALSE;
  if (error != NULL)
    {
      self->connect_after_test = FALSE;
      portico_connect_dialog_reset_test_rows (self, ROW_IDLE);
      portico_connect_dialog_show_error (self, error->message);
      portico_connect_dialog_update_actions (self);
      return;
    }

  self->test_valid = TRUE;

  /* Rows the test did not report on (it stops at an invalid field). */
  if (portico_connection_test_get_connection_error (test) != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, self->test_rows);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          TestRow *tr = value;

          if (g_strcmp0 (key, CONNECTION_ROW) == 0)
            test_row_set (tr, ROW_FAILED, portico_connection_test_get_connection_error (test)->message);
          else if (gtk_stack_get_visible_child_name (tr->state) != NULL &&
                   g_str_equal (gtk_stack_get_visible_child_name (tr->state), "spinner"))
            test_row_set (tr, ROW_IDLE, _("Not tested: the connection failed"));
        }
    }

  display_name = portico_connection_test_get_display_name (test);
  if (display_name != NULL && !self->name_edited && self->reconnect_account_id == 0)
    {
      self->filling++;
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), display_name);
      self->filling--;
    }

  describe_outcome (self);
  portico_connect_dialog_update_actions (self);

  if (self->connect_after_test)
    {
      self->connect_after_test = FALSE;
      if (outcome != PORTICO_CONNECTION_OUTCOME_C)
        portico_connect_dialog_do_connect (self);
      return;
    }

  if (outcome == PORTICO_CONNECTION_OUTCOME_A || outcome == PORTICO_CONNECTION_OUTCOME_B)
    gtk_widget_grab_focus (GTK_WIDGET (self->connect_button));
}


void
portico_connect_dialog_run_test (PorticoConnectDialog *self)
{
  FieldRow *invalid;

  if (self->testing || self->connecting)
    return;

  portico_connect_dialog_show_error (self, NULL);
  invalid = portico_connect_dialog_validate_all (self, TRUE);
  if (invalid != NULL)
    {
      self->connect_after_test = FALSE;
      portico_connect_dialog_set_outcome_message (self, _("Fix the highlighted details, then test again."), "error");
      gtk_widget_grab_focus (invalid->row);
      return;
    }

  if (self->test != NULL)
    g_signal_handlers_disconnect_by_data (self->test, self);
  g_clear_object (&self->test);
  g_clear_pointer (&self->test_values, g_hash_table_unref);
  g_clear_object (&self->test_cancellable);

  self->test_values = portico_connect_dialog_collect_values (self);
  if (portico_connector_signs_in (self->connector))
    {
      portico_connect_dialog_start_sign_in (self);
      return;
    }
  portico_connect_dialog_start_test (self);
}

void
portico_connect_dialog_start_test (PorticoConnectDialog *self)
{
  self->test = portico_engine_new_test (self->engine, self->connector, self->test_values, self->permission);
  self->test_cancellable = g_cancellable_new ();
  self->test_valid = FALSE;
  self->testing = TRUE;

  g_signal_connect (self->test, "identity-checked", G_CALLBACK (on_identity_checked), self);
  g_signal_connect (self->test, "data-type-started", G_CALLBACK (on_data_type_started), self);
  g_signal_connect (self->test, "data-type-succeeded", G_CALLBACK (on_data_type_succeeded), self);
  g_signal_connect (self->test, "data-type-failed", G_CALLBACK (on_data_type_failed), self);

  portico_connect_dialog_reset_test_rows (self, ROW_RUNNING);
  portico_connect_dialog_set_outcome_message (self, _("Testing the connection and every data type…"), "dim-label");
  portico_connect_dialog_update_actions (self);

  portico_connection_test_run_async (self->test, self->test_cancellable,
                                     test_done_cb, g_object_ref (self));
}

void
portico_connect_dialog_test_action (GtkWidget  *widget,
                                    const char *action_name,
                                    GVariant   *param)
{
  portico_connect_dialog_run_test (PORTICO_CONNECT_DIALOG (widget));
}

/* ---- Test report -------------------------------------------------------------- */

static void
report_written_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PorticoConnectDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = g_strdup_printf (_("Could not save the test report (%s). Choose another folder."), error->message);
    }
  else
    text = g_strdup (_("Test report saved. It holds no credentials and no personal data."));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (text));
}

void
portico_connect_dialog_save_report (PorticoConnectDialog *self,
                                    GFile                *file)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autoptr(GBytes) bytes = NULL;
  gsize length;
  char *text;

  g_return_if_fail (PORTICO_IS_CONNECT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->test == NULL)
    return;

  report = portico_engine_build_test_report (self->engine, self->test, &error);
  if (report == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  generator = json_generator_new ();
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, report);
  text = json_generator_to_data (generator, &length);
  bytes = g_bytes_new_take (text, length);
  /* GIO writes the file in its own thread; only its owner reads it. */
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE,
                                       G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                                       self->cancellable, report_written_cb, g_object_ref (self));
}

static void
on_report_response (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  g_autoptr(PorticoConnectDialog) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      portico_connect_dialog_save_report (self, file);
    }

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

void
portico_connect_dialog_save_report_action (GtkWidget  *widget,
                                           const char *action_name,
                                           GVariant   *param)
{
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (widget);
  GtkFileChooserNative *dialog;
  g_autofree char *file_name = NULL;

  if (self->test == NULL)
    return;

  file_name = g_strdup_printf ("portico-test-report-%s.json", portico_connector_get_id (self->connector));
  /* GtkFileChooserNative uses the FileChooser portal inside Flatpak. */
  dialog = gtk_file_chooser_native_new (_("Save Test Report"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), file_name);
  g_signal_connect (dialog, "response", G_CALLBACK (on_report_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}
