/* portico-connect-dialog.c: connect (or reconnect) one account of an integration.
 *
 * The dialog is built from the connector's definition: one row per field
 * asked at the chosen permission level, validated as the admin types. Test
 * runs a PorticoConnectionTest and shows every data type live; its outcome
 * (SPEC 2: A, B or C) decides whether Connect, "Connect anyway" or nothing is
 * offered. Any edit after a test invalidates its result, because the engine
 * connects with exactly the values that were tested.
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
#include "portico-oauth.h"
#include "portico-connect-dialog-private.h"

G_DEFINE_FINAL_TYPE (PorticoConnectDialog, portico_connect_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_ENGINE,
  PROP_CONNECTOR,
  PROP_SANDBOX,
  PROP_RECONNECT_ACCOUNT_ID,
  N_PROPS
};

enum {
  CONNECTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];



static void
field_row_free (FieldRow *fr)
{
  g_free (fr->error);
  portico_secret_free (fr->file_value);
  g_free (fr);
}

static void
test_row_free (TestRow *tr)
{
  g_free (tr);
}

/* ---- Small helpers ------------------------------------------------------- */

void
portico_connect_dialog_set_accessible_label (GtkWidget  *widget,
                                             const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

void
portico_connect_dialog_show_error (PorticoConnectDialog *self,
                                   const char           *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (self->error_box, message != NULL);
}

void
portico_connect_dialog_set_outcome_message (PorticoConnectDialog *self,
                                            const char           *message,
                                            const char           *style)
{
  gtk_label_set_label (self->outcome_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->outcome_label), message != NULL);
  gtk_widget_remove_css_class (GTK_WIDGET (self->outcome_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->outcome_label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->outcome_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->outcome_label), "dim-label");
  if (style != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->outcome_label), style);
}

static FieldRow *
find_field_row (PorticoConnectDialog *self,
                const char           *field_id)
{
  for (guint i = 0; self->field_rows != NULL && i < self->field_rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->field_rows, i);

      if (g_strcmp0 (fr->field->id, field_id) == 0)
        return fr;
    }

  return NULL;
}

static gboolean
field_row_is_shown (FieldRow *fr)
{
  return gtk_widget_get_visible (fr->row);
}

/* The text of a row; for choices the id of the chosen one. */
static char *
field_row_get_text (FieldRow *fr)
{
  if (ADW_IS_COMBO_ROW (fr->row))
    {
      guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (fr->row));
      guint offset = fr->field->required ? 0 : 1;

      if (selected == GTK_INVALID_LIST_POSITION || selected < offset ||
          fr->field->choice_ids == NULL || selected - offset >= g_strv_length (fr->field->choice_ids))
        return g_strdup ("");
      return g_strdup (fr->field->choice_ids[selected - offset]);
    }
  if (fr->field->type == PORTICO_FIELD_FILE)
    return g_strdup (fr->file_value != NULL ? fr->file_value : "");

  return g_strdup (gtk_editable_get_text (GTK_EDITABLE (fr->row)));
}

void
portico_connect_dialog_field_row_set_text (FieldRow   *fr,
                                           const char *value)
{
  if (value == NULL)
    value = "";

  if (ADW_IS_COMBO_ROW (fr->row))
    {
      guint offset = fr->field->required ? 0 : 1;

      for (guint i = 0; fr->field->choice_ids != NULL && fr->field->choice_ids[i] != NULL; i++)
        if (g_str_equal (fr->field->choice_ids[i], value))
          {
            adw_combo_row_set_selected (ADW_COMBO_ROW (fr->row), i + offset);
            return;
          }
      if (offset == 1)
        adw_combo_row_set_selected (ADW_COMBO_ROW (fr->row), 0);
      return;
    }
  if (fr->field->type == PORTICO_FIELD_FILE)
    {
      g_clear_pointer (&fr->file_value, portico_secret_free);
      fr->file_value = *value != '\0' ? g_strdup (value) : NULL;
      adw_action_row_set_subtitle (ADW_ACTION_ROW (fr->row), fr->file_value != NULL ? _("A key file is set.")
                                   : fr->field->help != NULL ? fr->field->help : "");
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (fr->row), value);
}

/* The value a connect would use: a secret left empty in reconnect mode
 * keeps the stored one. */
static char *
field_row_get_value (PorticoConnectDialog *self,
                     FieldRow             *fr)
{
  g_autofree char *text = field_row_get_text (fr);

  if (*text == '\0' && portico_connector_field_is_secret (fr->field) && self->stored_values != NULL)
    {
      const char *stored = g_hash_table_lookup (self->stored_values, fr->field->id);

      if (stored != NULL)
        return g_strdup (stored);
    }

  return g_steal_pointer (&text);
}

/* Validates one field; shows the reason at the field when @show. */
gboolean
portico_connect_dialog_validate_field (PorticoConnectDialog *self,
                                       FieldRow             *fr,
                                       gboolean              show)
{
  g_autofree char *value = field_row_get_value (self, fr);
  g_autoptr(GError) error = NULL;
  gboolean valid;

  valid = portico_connector_validate_value (self->connector, fr->field->id, value, &error);
  g_clear_pointer (&fr->error, g_free);

  if (!valid && (show || fr->touched))
    fr->error = g_strdup (error->message);

  gtk_label_set_label (fr->error_label, fr->error != NULL ? fr->error : "");
  gtk_widget_set_visible (fr->error_row, fr->error != NULL && field_row_is_shown (fr));
  if (fr->error != NULL)
    {
      gtk_widget_add_css_class (fr->row, "error");
      gtk_accessible_update_property (GTK_ACCESSIBLE (fr->row),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, fr->error,
                                      -1);
      gtk_accessible_update_state (GTK_ACCESSIBLE (fr->row),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
    }
  else
    {
      gtk_widget_remove_css_class (fr->row, "error");
      gtk_accessible_reset_property (GTK_ACCESSIBLE (fr->row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
      gtk_accessible_reset_state (GTK_ACCESSIBLE (fr->row), GTK_ACCESSIBLE_STATE_INVALID);
    }

  if (fr->unchanged_label != NULL)
    {
      g_autofree char *text = field_row_get_text (fr);

      gtk_widget_set_visible (fr->unchanged_label,
                              *text == '\0' && self->stored_values != NULL &&
                              g_hash_table_contains (self->stored_values, fr->field->id));
    }

  return valid;
}

/* Validates every shown field; returns the first invalid one, or NULL. */
FieldRow *
portico_connect_dialog_validate_all (PorticoConnectDialog *self,
                                     gboolean              show)
{
  FieldRow *first_invalid = NULL;

  for (guint i = 0; i < self->field_rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->field_rows, i);

      if (!field_row_is_shown (fr))
        continue;
      if (!portico_connect_dialog_validate_field (self, fr, show) && first_invalid == NULL)
        first_invalid = fr;
    }

  return first_invalid;
}

GHashTable *
portico_connect_dialog_collect_values (PorticoConnectDialog *self)
{
  GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < self->field_rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->field_rows, i);
      g_autofree char *value = NULL;

      if (!field_row_is_shown (fr))
        continue;
      value = field_row_get_value (self, fr);
      if (*value == '\0')
        continue;
      g_hash_table_insert (values, g_strdup (fr->field->id), g_steal_pointer (&value));
    }

  return values;
}

static AdwToastOverlay *
find_toast_overlay (GtkWidget *widget)
{
  if (widget == NULL)
    return NULL;
  if (ADW_IS_TOAST_OVERLAY (widget))
    return ADW_TOAST_OVERLAY (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      AdwToastOverlay *found = find_toast_overlay (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* ---- Actions and state ----------------------------------------------------- */

void
portico_connect_dialog_update_actions (PorticoConnectDialog *self)
{
  gboolean has_test = portico_connector_has_test (self->connector);
  PorticoConnectionOutcome outcome = portico_connect_dialog_get_outcome (self);
  gboolean partial = has_test && outcome == PORTICO_CONNECTION_OUTCOME_B;
  gboolean has_report;
  gboolean can_connect;
  const char *label;
  const char *accessible;

  if (has_test)
    can_connect = !self->testing && !self->connecting &&
                  (outcome == PORTICO_CONNECTION_OUTCOME_A || outcome == PORTICO_CONNECTION_OUTCOME_B);
  else
    can_connect = !self->testing && !self->connecting;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connect.connect", can_connect);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connect.test", !self->testing && !self->connecting);
  /* The report describes the last finished test. */
  has_report = has_test && self->test != NULL && !self->testing &&
               portico_connection_test_get_outcome (self->test) != PORTICO_CONNECTION_OUTCOME_NONE;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "connect.save-report", has_report);
  gtk_widget_set_visible (GTK_WIDGET (self->report_button), has_report);

  if (partial)
    {
      label = _("Connect _Anyway");
      accessible = _("Connect anyway");
    }
  else if (self->reconnect_account_id > 0)
    {
      label = _("_Reconnect");
      accessible = _("Reconnect");
    }
  else
    {
      label = _("_Connect");
      accessible = _("Connect");
    }
  gtk_label_set_label (self->connect_label, label);
  portico_connect_dialog_set_accessible_label (GTK_WIDGET (self->connect_button), accessible);

  if (!can_connect && has_test && !self->connecting)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->connect_button),
                                 _("Test the connection first; Connect is available once a test passes"));
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->connect_button), NULL);
}

/* Any edit makes the last test result stale: the engine connects with the
 * values that were tested, so those must be the values shown. */
static void
invalidate_test (PorticoConnectDialog *self)
{
  if (self->testing)
    {
      g_cancellable_cancel (self->test_cancellable);
      self->testing = FALSE;
      portico_connect_dialog_reset_test_rows (self, ROW_IDLE);
    }

  if (self->test_valid)
    portico_connect_dialog_set_outcome_message (self, _("The details changed since the last test. Test again before connecting."),
                                                "dim-label");
  self->test_valid = FALSE;
  if (self->duplicate_found)
    {
      self->duplicate_found = FALSE;
      self->reconnect_account_id = 0;
      g_clear_pointer (&self->reconnect_external_id, g_free);
    }
  portico_connect_dialog_show_error (self, NULL);
  portico_connect_dialog_update_actions (self);
}

void
portico_connect_dialog_on_field_changed (PorticoConnectDialog *self,
                                         FieldRow             *fr)
{
  if (self->filling > 0)
    {
      portico_connect_dialog_validate_field (self, fr, FALSE);
      return;
    }

  fr->touched = TRUE;
  portico_connect_dialog_validate_field (self, fr, FALSE);
  invalidate_test (self);
}

void
portico_connect_dialog_on_entry_changed (GtkEditable *editable,
                                         gpointer     user_data)
{
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (user_data);

  for (guint i = 0; i < self->field_rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->field_rows, i);

      if (fr->row == GTK_WIDGET (editable))
        {
          portico_connect_dialog_on_field_changed (self, fr);
          return;
        }
    }
}

void
portico_connect_dialog_on_combo_selected (GObject    *object,
                                          GParamSpec *pspec,
                                          gpointer    user_data)
{
  portico_connect_dialog_on_entry_changed ((GtkEditable *) object, user_data);
}

/* Enter moves to the next field; in the last one it runs Test. */
void
portico_connect_dialog_on_entry_activated (AdwEntryRow *row,
                                           gpointer     user_data)
{
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (user_data);
  gboolean found = FALSE;

  for (guint i = 0; i < self->field_rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->field_rows, i);

      if (!field_row_is_shown (fr) || portico_connect_dialog_is_api_base_url (fr->field))
        continue;
      if (found)
        {
          gtk_widget_grab_focus (fr->row);
          return;
        }
      if (fr->row == GTK_WIDGET (row))
        found = TRUE;
    }

  gtk_widget_activate_action (GTK_WIDGET (self), "connect.test", NULL);
}

static void
on_name_changed (PorticoConnectDialog *self)
{
  if (self->filling == 0)
    self->name_edited = TRUE;
}

static void
apply_permission (PorticoConnectDialog *self)
{
  g_autoptr(GPtrArray) asked = portico_connector_get_fields_for_permission (self->connector, self->permission);
  g_autofree char *uri = NULL;

  for (guint i = 0; i < self->field_rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->field_rows, i);
      gboolean shown = portico_connect_dialog_is_api_base_url (fr->field);

      for (guint j = 0; !shown && j < asked->len; j++)
        {
          const PorticoConnectorField *field = g_ptr_array_index (asked, j);

          if (g_strcmp0 (field->id, fr->field->id) == 0)
            shown = TRUE;
        }

      gtk_widget_set_visible (fr->row, shown);
      portico_connect_dialog_validate_field (self, fr, FALSE);
    }

  uri = portico_connect_build_delegate_uri (self->connector, self->permission);
  gtk_link_button_set_uri (self->mailto_button, uri);
  /* GtkLinkButton shows its URI as a tooltip; the whole message is too long for one. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->mailto_button), _("Email the app owner"));
}

static void
on_permission_toggled (PorticoConnectDialog *self)
{
  const char *permission = gtk_check_button_get_active (self->act_check) ? "act" : "read";

  if (g_strcmp0 (permission, self->permission) == 0)
    return;

  g_free (self->permission);
  self->permission = g_strdup (permission);
  apply_permission (self);
  if (self->filling == 0)
    invalidate_test (self);
}

/* ---- Connect ---------------------------------------------------------------- */

static void
sync_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(JsonNode) document = NULL;
  g_autoptr(GError) error = NULL;

  /* The tile shows the sync's progress and result; only log here. */
  document = portico_engine_sync_finish (PORTICO_ENGINE (object), result, &error);
  if (document == NULL)
    g_debug ("The first sync did not complete: %s", error->message);
}

static void
finish_connected (PorticoConnectDialog *self,
                  gint64                account_id,
                  gint64                replaced_account_id)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  AdwToastOverlay *overlay = parent != NULL ? find_toast_overlay (GTK_WIDGET (parent)) : NULL;
  g_autoptr(JsonNode) account = portico_store_get_account (portico_engine_get_store (self->engine), account_id, NULL);
  const char *account_name = NULL;
  g_autofree char *message = NULL;

  if (account != NULL && JSON_NODE_HOLDS_OBJECT (account))
    account_name = json_object_get_string_member_with_default (json_node_get_object (account), "name", NULL);
  if (account_name == NULL)
    account_name = portico_connector_get_name (self->connector);

  if (self->reconnect_account_id == 0)
    message = g_strdup_printf (_("“%s” is connected; its first sync has started"), account_name);
  else if (replaced_account_id > 0)
    message = g_strdup_printf (_("“%s” was disconnected and “%s” connected, because %s supports one account"),
                               self->reconnect_name, account_name, portico_connector_get_name (self->connector));
  else if (account_id == self->reconnect_account_id)
    message = g_strdup_printf (_("The credentials of “%s” were replaced"), account_name);
  else
    message = g_strdup_printf (_("These credentials belong to another account: “%s” was added, and “%s” stays connected"),
                               account_name, self->reconnect_name);

  g_signal_emit (self, signals[CONNECTED], 0, account_id, replaced_account_id);

  if (overlay != NULL)
    {
      AdwToast *toast = adw_toast_new (message);

      adw_toast_set_timeout (toast, 6);
      adw_toast_overlay_add_toast (overlay, toast);
    }
  else if (parent != NULL && self->reconnect_account_id > 0)
    {
      /* Which reconnect rule applied matters; without a place for a toast say it in a dialog. */
      GtkWidget *dialog = adw_message_dialog_new (parent, _("Reconnected"), message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
  else
    g_debug ("%s", message);

  gtk_window_close (GTK_WINDOW (self));
}

static void
connect_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  PorticoEngine *engine = PORTICO_ENGINE (object);
  g_autoptr(PorticoConnectDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 replaced = 0;
  gint64 account_id;

  if (self->reconnect_account_id > 0)
    account_id = portico_engine_reconnect_finish (engine, result, &replaced, &error);
  else
    account_id = portico_engine_connect_finish (engine, result, &error);

  /* The first sync starts at once, even if the dialog was closed meanwhile. */
  if (account_id > 0)
    portico_engine_sync_async (engine, account_id, NULL, sync_done_cb, NULL);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (self->cancellable))
    return;

  self->connecting = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->cancel_button), TRUE);

  if (account_id <= 0)
    {
      portico_connect_dialog_show_error (self, error != NULL ? error->message : _("The account could not be connected."));
      portico_connect_dialog_update_actions (self);
      return;
    }

  finish_connected (self, account_id, replaced);
}

void
portico_connect_dialog_do_connect (PorticoConnectDialog *self)
{
  g_autofree char *name = NULL;
  gboolean accept_partial;

  g_assert (self->test != NULL && self->test_valid);

  accept_partial = portico_connection_test_get_outcome (self->test) == PORTICO_CONNECTION_OUTCOME_B ||
                   !portico_connector_has_test (self->connector);
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  self->connecting = TRUE;
  portico_connect_dialog_show_error (self, NULL);
  portico_connect_dialog_update_actions (self);

  if (self->reconnect_account_id > 0)
    portico_engine_reconnect_async (self->engine, self->reconnect_account_id, self->test,
                                    self->test_values, accept_partial, self->cancellable,
                                    connect_done_cb, g_object_ref (self));
  else
    portico_engine_connect_async (self->engine, self->test, self->test_values,
                                  *name != '\0' ? name : NULL, accept_partial,
                                  self->cancellable, connect_done_cb, g_object_ref (self));
}

static void
connect_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (widget);

  if (self->connecting || self->testing)
    return;

  /* Connectors without a test connect directly: the test still runs, quietly,
   * because the account needs the identity it reads. */
  if (!portico_connector_has_test (self->connector) && !self->test_valid)
    {
      self->connect_after_test = TRUE;
      portico_connect_dialog_run_test (self);
      return;
    }

  if (self->test == NULL || !self->test_valid)
    return;

  portico_connect_dialog_do_connect (self);
}

static void
copy_message_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (widget);
  g_autofree char *subject = portico_connect_build_delegate_subject (self->connector);
  g_autofree char *body = portico_connect_build_delegate_message (self->connector, self->permission);
  g_autofree char *text = g_strdup_printf ("%s\n\n%s", subject, body);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Message copied")));
}


static void
portico_connect_dialog_constructed (GObject *object)
{
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (object);
  const char *name;
  const char *help_url;
  g_autofree char *title = NULL;
  GPtrArray *fields;
  g_auto(GStrv) data_types = NULL;
  GtkWidget *outcome;

  G_OBJECT_CLASS (portico_connect_dialog_parent_class)->constructed (object);

  g_assert (PORTICO_IS_ENGINE (self->engine));
  g_assert (PORTICO_IS_CONNECTOR (self->connector));

  name = portico_connector_get_name (self->connector);
  help_url = portico_connector_get_help_url (self->connector);

  if (self->reconnect_account_id > 0)
    {
      g_autoptr(JsonNode) account = portico_store_get_account (portico_engine_get_store (self->engine),
                                                               self->reconnect_account_id, NULL);

      if (account != NULL && JSON_NODE_HOLDS_OBJECT (account))
        {
          JsonObject *obj = json_node_get_object (account);

          self->reconnect_name = g_strdup (json_object_get_string_member_with_default (obj, "name", name));
          self->reconnect_external_id = g_strdup (json_object_get_string_member_with_default (obj, "external_id", NULL));
        }
      if (self->reconnect_name == NULL)
        self->reconnect_name = g_strdup (name);
      title = g_strdup_printf (_("Reconnect “%s”"), self->reconnect_name);
    }
  else
    title = g_strdup_printf (_("Connect %s"), name);

  gtk_window_set_title (GTK_WINDOW (self), title);
  /* The big title below says it already; the header bar stays quiet. */
  adw_window_title_set_title (self->window_title, "");
  gtk_label_set_label (self->title_label, title);
  portico_connector_avatar_setup (self->icon, self->connector);
  gtk_label_set_label (self->help_label, portico_connector_get_help (self->connector));
  gtk_widget_set_visible (GTK_WIDGET (self->help_link), help_url != NULL);
  if (help_url != NULL)
    {
      gtk_link_button_set_uri (self->help_link, help_url);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->help_link), help_url);
    }

  portico_connect_dialog_build_permissions (self);

  fields = portico_connector_get_fields (self->connector);
  for (guint i = 0; i < fields->len; i++)
    portico_connect_dialog_build_field_row (self, g_ptr_array_index (fields, i));

  /* The name row is for new accounts; a reconnect keeps the account's name. */
  gtk_widget_set_visible (GTK_WIDGET (self->name_row), self->reconnect_account_id == 0);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");

  /* The test list: the identity request, then every data type. */
  gtk_widget_set_visible (GTK_WIDGET (self->test_group), portico_connector_has_test (self->connector));
  /* The sign-in's waiting state comes first, above the test's rows. */
  if (portico_connector_signs_in (self->connector))
    {
      g_autofree char *label = g_strdup_printf (_("_Sign In with %s"), name);
      g_autofree char *accessible = g_strdup_printf (_("Sign in with %s"), name);
      GtkWidget *child = gtk_button_get_child (self->test_button);

      if (GTK_IS_LABEL (child))
        gtk_label_set_text_with_mnemonic (GTK_LABEL (child), label);
      portico_connect_dialog_set_accessible_label (GTK_WIDGET (self->test_button), accessible);
      portico_connect_dialog_build_sign_in_row (self);
    }

  portico_connect_dialog_add_test_row (self, CONNECTION_ROW, _("Connection"));
  data_types = portico_connector_get_data_types (self->connector);
  for (guint i = 0; data_types != NULL && data_types[i] != NULL; i++)
    portico_connect_dialog_add_test_row (self, data_types[i], portico_data_type_label (data_types[i]));

  outcome = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (outcome), TRUE);
  gtk_label_set_xalign (GTK_LABEL (outcome), 0);
  gtk_widget_set_margin_top (outcome, 12);
  gtk_widget_set_visible (outcome, FALSE);
  adw_preferences_group_add (self->test_group, outcome);
  self->outcome_label = GTK_LABEL (outcome);

  /* Defaults first; demo values and stored values replace them. */
  self->filling++;
  for (guint i = 0; i < self->field_rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->field_rows, i);

      if (fr->field->default_value != NULL && *fr->field->default_value != '\0')
        portico_connect_dialog_field_row_set_text (fr, fr->field->default_value);
    }
  self->filling--;

  if (self->reconnect_account_id > 0)
    {
      g_autoptr(JsonNode) account = portico_store_get_account (portico_engine_get_store (self->engine),
                                                               self->reconnect_account_id, NULL);
      const char *permission = NULL;

      if (account != NULL && JSON_NODE_HOLDS_OBJECT (account))
        permission = json_object_get_string_member_with_default (json_node_get_object (account), "permission", NULL);
      if (permission != NULL)
        portico_connect_dialog_set_permission (self, permission);
    }

  apply_permission (self);

  if (self->sandbox != NULL)
    portico_connect_dialog_build_demo_note (self);

  if (self->reconnect_account_id > 0)
    portico_engine_load_values_async (self->engine, self->reconnect_account_id, self->cancellable,
                                      portico_connect_dialog_load_values_cb, g_object_ref (self));

  portico_connect_dialog_update_actions (self);
}

/* ---- Public API --------------------------------------------------------------- */

PorticoConnectDialog *
portico_connect_dialog_new (PorticoEngine    *engine,
                            PorticoConnector *connector,
                            PorticoSandbox   *sandbox,
                            gint64            reconnect_account_id)
{
  g_return_val_if_fail (PORTICO_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), NULL);
  g_return_val_if_fail (sandbox == NULL || PORTICO_IS_SANDBOX (sandbox), NULL);
  g_return_val_if_fail (reconnect_account_id >= 0, NULL);

  return g_object_new (PORTICO_TYPE_CONNECT_DIALOG,
                       "engine", engine,
                       "connector", connector,
                       "sandbox", sandbox,
                       "reconnect-account-id", reconnect_account_id,
                       NULL);
}

void
portico_connect_dialog_present (GtkWindow        *parent,
                                PorticoEngine    *engine,
                                PorticoConnector *connector,
                                PorticoSandbox   *sandbox_or_null,
                                gint64            reconnect_account_id)
{
  PorticoConnectDialog *dialog;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));

  dialog = portico_connect_dialog_new (engine, connector, sandbox_or_null, reconnect_account_id);
  g_return_if_fail (dialog != NULL);

  /* A new account starts at the level the preferences name, where the
   * connector offers it; a reconnect keeps the account's own. */
  if (reconnect_account_id == 0)
    {
      g_autoptr(GSettings) settings = g_settings_new (BASE_APP_ID);
      g_autofree char *level = g_settings_get_string (settings, "default-permission");
      g_auto(GStrv) offered = portico_connector_get_permissions (connector);

      if (g_strcmp0 (level, "act") == 0 &&
          (offered == NULL || g_strv_contains ((const char * const *) offered, "act")))
        portico_connect_dialog_set_permission (dialog, "act");
    }

  if (parent != NULL)
    {
      gtk_window_set_transient_for (GTK_WINDOW (dialog), parent);
      if (gtk_window_get_application (parent) != NULL)
        gtk_window_set_application (GTK_WINDOW (dialog), gtk_window_get_application (parent));
    }
  gtk_window_present (GTK_WINDOW (dialog));
}

PorticoConnector *
portico_connect_dialog_get_connector (PorticoConnectDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECT_DIALOG (self), NULL);
  return self->connector;
}

const char *
portico_connect_dialog_get_permission (PorticoConnectDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECT_DIALOG (self), NULL);
  return self->permission;
}

void
portico_connect_dialog_set_permission (PorticoConnectDialog *self,
                                       const char           *permission)
{
  g_return_if_fail (PORTICO_IS_CONNECT_DIALOG (self));
  g_return_if_fail (g_strcmp0 (permission, "read") == 0 || g_strcmp0 (permission, "act") == 0);

  if (g_str_equal (permission, "act"))
    gtk_check_button_set_active (self->act_check, TRUE);
  else
    gtk_check_button_set_active (self->read_check, TRUE);
  /* The toggled handler does the rest when the state changed. */
  on_permission_toggled (self);
}

GtkWidget *
portico_connect_dialog_get_field_row (PorticoConnectDialog *self,
                                      const char           *field_id)
{
  FieldRow *fr;

  g_return_val_if_fail (PORTICO_IS_CONNECT_DIALOG (self), NULL);

  fr = find_field_row (self, field_id);
  return fr != NULL && field_row_is_shown (fr) ? fr->row : NULL;
}

void
portico_connect_dialog_set_field_value (PorticoConnectDialog *self,
                                        const char           *field_id,
                                        const char           *value)
{
  FieldRow *fr;

  g_return_if_fail (PORTICO_IS_CONNECT_DIALOG (self));

  fr = find_field_row (self, field_id);
  g_return_if_fail (fr != NULL);
  portico_connect_dialog_field_row_set_text (fr, value);
}

const char *
portico_connect_dialog_get_field_error (PorticoConnectDialog *self,
                                        const char           *field_id)
{
  FieldRow *fr;

  g_return_val_if_fail (PORTICO_IS_CONNECT_DIALOG (self), NULL);

  fr = find_field_row (self, field_id);
  if (fr == NULL || !gtk_widget_get_visible (fr->error_row))
    return NULL;
  return fr->error;
}

GtkWidget *
portico_connect_dialog_get_test_button (PorticoConnectDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECT_DIALOG (self), NULL);
  return GTK_WIDGET (self->test_button);
}

GtkWidget *
portico_connect_dialog_get_report_button (PorticoConnectDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECT_DIALOG (self), NULL);
  return GTK_WIDGET (self->report_button);
}

GtkWidget *
portico_connect_dialog_get_connect_button (PorticoConnectDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECT_DIALOG (self), NULL);
  return GTK_WIDGET (self->connect_button);
}

GtkWidget *
portico_connect_dialog_get_name_row (PorticoConnectDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECT_DIALOG (self), NULL);
  return GTK_WIDGET (self->name_row);
}

const char *
portico_connect_dialog_get_error_message (PorticoConnectDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECT_DIALOG (self), NULL);
  return gtk_widget_get_visible (self->error_box) ? gtk_label_get_label (self->error_label) : NULL;
}

const char *
portico_connect_dialog_get_outcome_message (PorticoConnectDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECT_DIALOG (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->outcome_label)) ? gtk_label_get_label (self->outcome_label) : NULL;
}

GtkWidget *
portico_connect_dialog_get_test_row (PorticoConnectDialog *self,
                                     const char           *data_type_id)
{
  TestRow *tr;

  g_return_val_if_fail (PORTICO_IS_CONNECT_DIALOG (self), NULL);

  tr = portico_connect_dialog_lookup_test_row (self, data_type_id);
  return tr != NULL ? tr->row : NULL;
}

gboolean
portico_connect_dialog_is_testing (PorticoConnectDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECT_DIALOG (self), FALSE);
  return self->testing;
}

PorticoConnectionTest *
portico_connect_dialog_get_test (PorticoConnectDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECT_DIALOG (self), NULL);
  return self->test;
}

PorticoConnectionOutcome
portico_connect_dialog_get_outcome (PorticoConnectDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_CONNECT_DIALOG (self), PORTICO_CONNECTION_OUTCOME_NONE);

  if (self->test == NULL || !self->test_valid)
    return PORTICO_CONNECTION_OUTCOME_NONE;
  return portico_connection_test_get_outcome (self->test);
}

/* ---- GObject ---------------------------------------------------------------- */

/* gtk_window_destroy() unrealizes the window but leaves disposing to the last
 * unref, which the pending callbacks hold off: closing must cancel here. */
static void
portico_connect_dialog_unrealize (GtkWidget *widget)
{
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (widget);

  g_cancellable_cancel (self->cancellable);
  if (self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);

  GTK_WIDGET_CLASS (portico_connect_dialog_parent_class)->unrealize (widget);
}

static void
portico_connect_dialog_dispose (GObject *object)
{
  PorticoConnectDialog *self = (PorticoConnectDialog *)object;

  /* Closing the dialog cancels a running test (and a load or connect). */
  g_cancellable_cancel (self->cancellable);
  if (self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);
  if (self->test != NULL)
    g_signal_handlers_disconnect_by_data (self->test, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), PORTICO_TYPE_CONNECT_DIALOG);

  if (self->sign_in != NULL)
    g_signal_handlers_disconnect_by_data (self->sign_in, self);
  g_clear_object (&self->sign_in);
  g_clear_object (&self->test);
  g_clear_object (&self->test_cancellable);
  g_clear_pointer (&self->test_values, g_hash_table_unref);
  g_clear_pointer (&self->stored_values, g_hash_table_unref);
  g_clear_pointer (&self->field_rows, g_ptr_array_unref);
  g_clear_pointer (&self->test_rows, g_hash_table_unref);
  g_clear_object (&self->sandbox);

  G_OBJECT_CLASS (portico_connect_dialog_parent_class)->dispose (object);
}

static void
portico_connect_dialog_finalize (GObject *object)
{
  PorticoConnectDialog *self = (PorticoConnectDialog *)object;

  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);
  g_clear_object (&self->connector);
  g_free (self->permission);
  g_free (self->reconnect_name);
  g_free (self->reconnect_external_id);

  G_OBJECT_CLASS (portico_connect_dialog_parent_class)->finalize (object);
}

static void
portico_connect_dialog_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      g_value_set_object (value, self->engine);
      break;

    case PROP_CONNECTOR:
      g_value_set_object (value, self->connector);
      break;

    case PROP_SANDBOX:
      g_value_set_object (value, self->sandbox);
      break;

    case PROP_RECONNECT_ACCOUNT_ID:
      g_value_set_int64 (value, self->reconnect_account_id);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_connect_dialog_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_ENGINE:
      self->engine = g_value_dup_object (value);
      break;

    case PROP_CONNECTOR:
      self->connector = g_value_dup_object (value);
      break;

    case PROP_SANDBOX:
      self->sandbox = g_value_dup_object (value);
      break;

    case PROP_RECONNECT_ACCOUNT_ID:
      self->reconnect_account_id = g_value_get_int64 (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
portico_connect_dialog_class_init (PorticoConnectDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = portico_connect_dialog_constructed;
  object_class->dispose = portico_connect_dialog_dispose;
  object_class->finalize = portico_connect_dialog_finalize;
  object_class->get_property = portico_connect_dialog_get_property;
  object_class->set_property = portico_connect_dialog_set_property;

  widget_class->unrealize = portico_connect_dialog_unrealize;

  properties[PROP_ENGINE] =
    g_param_spec_object ("engine", NULL, NULL,
                         PORTICO_TYPE_ENGINE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_CONNECTOR] =
    g_param_spec_object ("connector", NULL, NULL,
                         PORTICO_TYPE_CONNECTOR,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SANDBOX] =
    g_param_spec_object ("sandbox", NULL, NULL,
                         PORTICO_TYPE_SANDBOX,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_RECONNECT_ACCOUNT_ID] =
    g_param_spec_int64 ("reconnect-account-id", NULL, NULL,
                        0, G_MAXINT64, 0,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CONNECTED] =
    g_signal_new ("connected",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT64);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-connect-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, account_group);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, act_check);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, act_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, advanced_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, connect_button);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, connect_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, copy_button);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, delegate_group);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, delegate_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, demo_box);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, demo_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, error_box);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, fields_group);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, help_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, help_link);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, icon);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, mailto_button);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, permission_group);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, read_check);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, read_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, test_button);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, report_button);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, test_group);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, title_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, window_title);
  gtk_widget_class_bind_template_callback (widget_class, on_name_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_permission_toggled);

  gtk_widget_class_install_action (widget_class, "connect.test", NULL, portico_connect_dialog_test_action);
  gtk_widget_class_install_action (widget_class, "connect.save-report", NULL, portico_connect_dialog_save_report_action);
  gtk_widget_class_install_action (widget_class, "connect.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "connect.copy-message", NULL, copy_message_action);
  gtk_widget_class_install_action (widget_class, "connect.cancel-sign-in", NULL, portico_connect_dialog_cancel_sign_in_action);
}

static void
portico_connect_dialog_init (PorticoConnectDialog *self)
{
  self->cancellable = g_cancellable_new ();
  self->field_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) field_row_free);
  self->test_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) test_row_free);

  gtk_widget_init_template (GTK_WIDGET (self));
  portico_link_button_use_show_uri (self->help_link);
  portico_link_button_use_show_uri (self->mailto_button);
}
