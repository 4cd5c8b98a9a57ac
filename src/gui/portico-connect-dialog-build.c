/* portico-connect-dialog-build.c: building the connect dialog: its field
 * rows, file fields, permissions, demo note and the message that delegates
 * the setup to an admin.
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

/* ---- Delegate -------------------------------------------------------------- */

static JsonObject *
find_permission (PorticoConnector *connector,
                 const char       *permission_id)
{
  JsonObject *definition = portico_connector_get_definition (connector);
  JsonArray *permissions;

  if (definition == NULL || !json_object_has_member (definition, "permissions"))
    return NULL;

  permissions = json_object_get_array_member (definition, "permissions");
  for (guint i = 0; i < json_array_get_length (permissions); i++)
    {
      JsonObject *permission = json_array_get_object_element (permissions, i);

      if (permission != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (permission, "id", NULL), permission_id) == 0)
        return permission;
    }

  return NULL;
}

static void
append_scopes (GString    *scopes,
               JsonObject *permission)
{
  JsonArray *array;

  if (permission == NULL || !json_object_has_member (permission, "scopes"))
    return;

  array = json_object_get_array_member (permission, "scopes");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      const char *scope = json_array_get_string_element (array, i);

      if (scope == NULL)
        continue;
      if (scopes->len > 0)
        g_string_append (scopes, ", ");
      g_string_append (scopes, scope);
    }
}

gboolean
portico_connect_dialog_is_api_base_url (const PorticoConnectorField *field)
{
  return g_strcmp0 (field->id, "api_base_url") == 0;
}

char *
portico_connect_build_delegate_subject (PorticoConnector *connector)
{
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), NULL);

  return g_strdup_printf (_("Please help connect %s to Portico"),
                          portico_connector_get_name (connector));
}

char *
portico_connect_build_delegate_message (PorticoConnector *connector,
                                        const char       *permission)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) scopes = g_string_new (NULL);
  g_autoptr(GPtrArray) fields = NULL;
  g_auto(GStrv) data_types = NULL;
  JsonObject *level;
  const char *name;
  gboolean any_requirement = FALSE;

  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), NULL);

  if (permission == NULL)
    permission = "read";
  name = portico_connector_get_name (connector);
  level = find_permission (connector, permission);

  g_string_append (text, _("Hello,"));
  g_string_append (text, "\n\n");
  g_string_append_printf (text,
                          _("We use Portico to keep track of our SaaS apps. Could you connect %s to it, or create the credentials it needs? This is what it needs:"),
                          name);
  g_string_append (text, "\n\n");
  g_string_append (text, portico_connector_get_help (connector));
  g_string_append (text, "\n\n");

  if (level != NULL)
    {
      const char *label = json_object_get_string_member_with_default (level, "label", permission);
      const char *help = json_object_get_string_member_with_default (level, "help", NULL);

      g_string_append_printf (text, _("Permission level: %s"), label);
      if (help != NULL && *help != '\0')
        g_string_append_printf (text, " (%s)", help);
      g_string_append_c (text, '\n');
    }

  /* "Read and take action" adds to what Read needs. */
  if (g_strcmp0 (permission, "act") == 0)
    append_scopes (scopes, find_permission (connector, "read"));
  append_scopes (scopes, level);
  if (scopes->len > 0)
    {
      g_string_append_printf (text, _("Scopes or rights: %s"), scopes->str);
      g_string_append_c (text, '\n');
    }

  g_string_append_c (text, '\n');
  g_string_append (text, _("Details to fill in:"));
  g_string_append_c (text, '\n');
  fields = portico_connector_get_fields_for_permission (connector, permission);
  for (guint i = 0; i < fields->len; i++)
    {
      const PorticoConnectorField *field = g_ptr_array_index (fields, i);

      if (portico_connect_dialog_is_api_base_url (field))
        continue;
      g_string_append_printf (text, "- %s%s", field->label,
                              field->required ? "" : _(" (optional)"));
      if (field->help != NULL && *field->help != '\0')
        g_string_append_printf (text, ": %s", field->help);
      g_string_append_c (text, '\n');
    }

  data_types = portico_connector_get_data_types (connector);
  for (guint i = 0; data_types != NULL && data_types[i] != NULL; i++)
    {
      const char *requirement = portico_connector_get_data_type_requirement (connector, data_types[i]);

      if (requirement == NULL || *requirement == '\0')
        continue;
      if (!any_requirement)
        {
          g_string_append_c (text, '\n');
          g_string_append (text, _("Some data needs more:"));
          g_string_append_c (text, '\n');
          any_requirement = TRUE;
        }
      g_string_append_printf (text, "- %s: %s\n", portico_data_type_label (data_types[i]), requirement);
    }

  if (portico_connector_get_help_url (connector) != NULL)
    {
      g_string_append_c (text, '\n');
      g_string_append_printf (text, _("How to create them: %s"), portico_connector_get_help_url (connector));
      g_string_append_c (text, '\n');
    }

  g_string_append_c (text, '\n');
  g_string_append (text, _("Please do not send the secret values by email: enter them in Portico yourself, or share them through our password manager."));
  g_string_append (text, "\n\n");
  g_string_append (text, _("Thank you!"));
  g_string_append_c (text, '\n');

  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
portico_connect_build_delegate_uri (PorticoConnector *connector,
                                    const char       *permission)
{
  g_autofree char *subject = portico_connect_build_delegate_subject (connector);
  g_autofree char *body = portico_connect_build_delegate_message (connector, permission);
  g_autofree char *subject_escaped = g_uri_escape_string (subject, NULL, FALSE);
  g_autofree char *body_escaped = g_uri_escape_string (body, NULL, FALSE);

  return g_strdup_printf ("mailto:?subject=%s&body=%s", subject_escaped, body_escaped);
}

/* ---- File fields ------------------------------------------------------------- */

static void
file_chosen_cb (GtkNativeDialog *chooser,
                int              response,
                gpointer         user_data)
{
  FieldRow *fr = g_object_get_data (G_OBJECT (chooser), "portico-field-row");
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autoptr(GError) error = NULL;
      g_autofree char *basename = file != NULL ? g_file_get_basename (file) : NULL;
      g_autofree char *subtitle = NULL;
      char *content = NULL;
      gsize length = 0;

      /* A key file is a few kilobytes: read at once, through the portal's
       * document path when sandboxed. */
      if (file == NULL || !g_file_load_contents (file, NULL, &content, &length, NULL, &error) ||
          !g_utf8_validate (content, length, NULL))
        {
          portico_secret_free (content);
          portico_connect_dialog_show_error (self, _("The chosen file cannot be read as text. Choose the JSON key file."));
          if (error != NULL)
            g_debug ("%s", error->message);
        }
      else
        {
          g_clear_pointer (&fr->file_value, portico_secret_free);
          fr->file_value = content;
          /* Translators: the name of the chosen key file */
          subtitle = g_strdup_printf (_("%s chosen"), basename);
          adw_action_row_set_subtitle (ADW_ACTION_ROW (fr->row), subtitle);
          portico_connect_dialog_on_field_changed (self, fr);
        }
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
choose_file_clicked (GtkButton *button,
                     gpointer   user_data)
{
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (user_data);
  FieldRow *fr = g_object_get_data (G_OBJECT (button), "portico-field-row");
  g_autofree char *title = g_strdup_printf (_("Choose the %s"), fr->field->label);
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  /* GtkFileChooserNative uses the FileChooser portal inside Flatpak. */
  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Choose"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("JSON key files"));
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_filter_add_pattern (filter, "*.json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_object_set_data (G_OBJECT (chooser), "portico-field-row", fr);
  g_signal_connect (chooser, "response", G_CALLBACK (file_chosen_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
/* ---- Building --------------------------------------------------------------- */

static GtkWidget *
make_help_button (const PorticoConnectorField *field)
{
  GtkWidget *button = gtk_menu_button_new ();
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *label = gtk_label_new (field->help);
  g_autofree char *accessible = g_strdup_printf (_("Help: %s"), field->label);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);
  gtk_widget_set_margin_start (label, 6);
  gtk_widget_set_margin_end (label, 6);
  gtk_popover_set_child (GTK_POPOVER (popover), label);

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "help-about-symbolic");
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, field->help);
  portico_connect_dialog_set_accessible_label (button, accessible);

  return button;
}

void
portico_connect_dialog_build_field_row (PorticoConnectDialog        *self,
                                        const PorticoConnectorField *field)
{
  FieldRow *fr = g_new0 (FieldRow, 1);
  GtkWidget *label;

  fr->field = field;

  if (field->type == PORTICO_FIELD_CHOICE)
    {
      g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);

      if (!field->required)
        gtk_string_list_append (model, _("Default"));
      for (guint i = 0; field->choice_labels != NULL && field->choice_labels[i] != NULL; i++)
        gtk_string_list_append (model, field->choice_labels[i]);

      fr->row = adw_combo_row_new ();
      adw_combo_row_set_model (ADW_COMBO_ROW (fr->row), G_LIST_MODEL (model));
      if (field->help != NULL && *field->help != '\0')
        adw_action_row_set_subtitle (ADW_ACTION_ROW (fr->row), field->help);
      g_signal_connect (fr->row, "notify::selected", G_CALLBACK (portico_connect_dialog_on_combo_selected), self);
    }
  else if (field->type == PORTICO_FIELD_FILE)
    {
      GtkWidget *button = gtk_button_new_with_mnemonic (_("Choose _File…"));
      g_autofree char *button_name = g_strdup_printf (_("Choose the %s"), field->label);

      fr->row = adw_action_row_new ();
      if (field->help != NULL && *field->help != '\0')
        adw_action_row_set_subtitle (ADW_ACTION_ROW (fr->row), field->help);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      portico_connect_dialog_set_accessible_label (button, button_name);
      g_object_set_data (G_OBJECT (button), "portico-field-row", fr);
      g_signal_connect (button, "clicked", G_CALLBACK (choose_file_clicked), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (fr->row), button);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (fr->row), button);
    }
  else
    {
      if (field->type == PORTICO_FIELD_SECRET)
        fr->row = adw_password_entry_row_new ();
      else
        fr->row = adw_entry_row_new ();

      if (field->type == PORTICO_FIELD_URL)
        adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (fr->row), GTK_INPUT_PURPOSE_URL);
      else if (field->type == PORTICO_FIELD_EMAIL)
        adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (fr->row), GTK_INPUT_PURPOSE_EMAIL);

      if (field->type == PORTICO_FIELD_SECRET && self->reconnect_account_id > 0)
        {
          fr->unchanged_label = gtk_label_new (_("Unchanged"));
          gtk_widget_add_css_class (fr->unchanged_label, "dim-label");
          gtk_widget_set_visible (fr->unchanged_label, FALSE);
          adw_entry_row_add_suffix (ADW_ENTRY_ROW (fr->row), fr->unchanged_label);
        }

      if (field->help != NULL && *field->help != '\0')
        adw_entry_row_add_suffix (ADW_ENTRY_ROW (fr->row), make_help_button (field));

      g_signal_connect (fr->row, "changed", G_CALLBACK (portico_connect_dialog_on_entry_changed), self);
      g_signal_connect (fr->row, "entry-activated", G_CALLBACK (portico_connect_dialog_on_entry_activated), self);
    }

  /* Labels and help come from connector files: plain text, never markup
   * (an "&" would otherwise blank the row). */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (fr->row), FALSE);
  /* AdwEntryRow names itself after its title; a combo row needs the label. */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (fr->row), field->label);
  if (ADW_IS_COMBO_ROW (fr->row) || field->type == PORTICO_FIELD_FILE)
    portico_connect_dialog_set_accessible_label (fr->row, field->label);
  if (field->help != NULL)
    gtk_widget_set_tooltip_text (fr->row, field->help);

  /* The reason a value is refused, right under its field. */
  fr->error_row = adw_preferences_row_new ();
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (fr->error_row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (fr->error_row), FALSE);
  label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_margin_top (label, 8);
  gtk_widget_set_margin_bottom (label, 8);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_add_css_class (label, "error");
  gtk_widget_add_css_class (label, "caption");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (fr->error_row), label);
  gtk_widget_set_visible (fr->error_row, FALSE);
  fr->error_label = GTK_LABEL (label);

  if (portico_connect_dialog_is_api_base_url (field))
    {
      adw_expander_row_add_row (self->advanced_row, fr->row);
      adw_expander_row_add_row (self->advanced_row, fr->error_row);
    }
  else
    {
      adw_preferences_group_add (self->fields_group, fr->row);
      adw_preferences_group_add (self->fields_group, fr->error_row);
    }

  g_ptr_array_add (self->field_rows, fr);
}

void
portico_connect_dialog_build_permissions (PorticoConnectDialog *self)
{
  g_auto(GStrv) permissions = portico_connector_get_permissions (self->connector);
  gboolean both = permissions != NULL &&
                  g_strv_contains ((const char * const *) permissions, "read") &&
                  g_strv_contains ((const char * const *) permissions, "act");
  JsonObject *read = find_permission (self->connector, "read");
  JsonObject *act = find_permission (self->connector, "act");

  gtk_widget_set_visible (GTK_WIDGET (self->permission_group), both);
  if (read != NULL)
    {
      const char *title = json_object_get_string_member_with_default (read, "label", _("Read"));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->read_row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->read_row),
                                   json_object_get_string_member_with_default (read, "help", NULL));
      portico_connect_dialog_set_accessible_label (GTK_WIDGET (self->read_check), title);
    }
  if (act != NULL)
    {
      const char *title = json_object_get_string_member_with_default (act, "label", _("Read and take action"));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->act_row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->act_row),
                                   json_object_get_string_member_with_default (act, "help", NULL));
      portico_connect_dialog_set_accessible_label (GTK_WIDGET (self->act_check), title);
    }

  if (permissions != NULL && !g_strv_contains ((const char * const *) permissions, "read") && permissions[0] != NULL)
    self->permission = g_strdup (permissions[0]);
  else
    self->permission = g_strdup ("read");
}

static void
fill_values (PorticoConnectDialog *self,
             GHashTable           *values,
             gboolean              secrets)
{
  self->filling++;
  for (guint i = 0; i < self->field_rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->field_rows, i);
      const char *value = g_hash_table_lookup (values, fr->field->id);

      if (portico_connector_field_is_secret (fr->field) && !secrets)
        value = NULL;
      if (value != NULL)
        portico_connect_dialog_field_row_set_text (fr, value);
      portico_connect_dialog_validate_field (self, fr, FALSE);
    }
  self->filling--;

  if (g_hash_table_lookup (values, "api_base_url") != NULL)
    adw_expander_row_set_subtitle (self->advanced_row, g_hash_table_lookup (values, "api_base_url"));
}

void
portico_connect_dialog_build_demo_note (PorticoConnectDialog *self)
{
  g_autoptr(GHashTable) ok = portico_sandbox_get_field_values (self->sandbox, portico_connector_get_id (self->connector), "ok");
  g_autoptr(GHashTable) plan = portico_sandbox_get_field_values (self->sandbox, portico_connector_get_id (self->connector), "plan");
  g_autoptr(GHashTable) bad = portico_sandbox_get_field_values (self->sandbox, portico_connector_get_id (self->connector), "bad");
  g_auto(GStrv) failures = portico_sandbox_get_plan_failures (self->sandbox, portico_connector_get_id (self->connector));
  g_autoptr(GString) note = g_string_new (NULL);

  if (ok == NULL)
    return;

  if (self->reconnect_account_id == 0)
    fill_values (self, ok, TRUE);

  g_string_append (note, _("Demo mode: the details come from the local sandbox."));
  for (guint i = 0; i < self->field_rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->field_rows, i);
      const char *plan_value = plan != NULL ? g_hash_table_lookup (plan, fr->field->id) : NULL;
      const char *bad_value = bad != NULL ? g_hash_table_lookup (bad, fr->field->id) : NULL;
      g_autofree char *plan_markup = NULL;
      g_autofree char *bad_markup = NULL;

      if (fr->field->type != PORTICO_FIELD_SECRET)
        continue;

      if (plan_value != NULL && failures != NULL && failures[0] != NULL)
        {
          g_autofree char *escaped = g_markup_escape_text (plan_value, -1);

          g_string_append_c (note, '\n');
          g_string_append_printf (note, _("%s “<b>%s</b>”: some data types fail (outcome B)."),
                                  fr->field->label, escaped);
        }
      if (bad_value != NULL)
        {
          g_autofree char *escaped = g_markup_escape_text (bad_value, -1);

          g_string_append_c (note, '\n');
          g_string_append_printf (note, _("%s “<b>%s</b>”: the key is rejected (outcome C)."),
                                  fr->field->label, escaped);
        }
    }

  gtk_label_set_markup (self->demo_label, note->str);
  gtk_widget_set_visible (self->demo_box, TRUE);
}

void
portico_connect_dialog_load_values_cb (GObject      *object,
                                       GAsyncResult *result,
                                       gpointer      user_data)
{
  g_autoptr(PorticoConnectDialog) self = user_data;
  g_autoptr(GHashTable) values = NULL;
  g_autoptr(GError) error = NULL;

  values = portico_engine_load_values_finish (PORTICO_ENGINE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_cancellable_is_cancelled (self->cancellable))
    return;

  if (values == NULL)
    {
      portico_connect_dialog_show_error (self, error->message);
      return;
    }

  self->stored_values = g_hash_table_ref (values);
  fill_values (self, values, FALSE);
}
