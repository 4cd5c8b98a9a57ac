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

typedef struct
{
  const PorticoConnectorField *field; /* owned by the connector */
  GtkWidget *row;                     /* AdwEntryRow, AdwPasswordEntryRow or AdwComboRow */
  GtkWidget *error_row;               /* AdwPreferencesRow holding error_label */
  GtkLabel  *error_label;
  GtkWidget *unchanged_label;         /* reconnect: secret rows left empty keep the stored value */
  gboolean   touched;
  char      *error;                   /* the message shown, or NULL */
  char      *file_value;              /* a file field: the chosen file's content */
} FieldRow;

typedef struct
{
  GtkWidget *row;
  GtkStack  *state;
  GtkImage  *image;
  GtkSpinner *spinner;
} TestRow;

struct _PorticoConnectDialog
{
  AdwWindow              parent_instance;

  PorticoEngine         *engine;
  PorticoConnector      *connector;
  PorticoSandbox        *sandbox;
  gint64                 reconnect_account_id;
  char                  *reconnect_name;
  char                  *reconnect_external_id;
  /* The test found an identity that is already connected: Connect became
   * Reconnect of that account (undone when the details change). */
  gboolean               duplicate_found;

  char                  *permission;
  GPtrArray             *field_rows;    /* FieldRow, in the connector's order */
  GHashTable            *test_rows;     /* data type id ("connection") -> TestRow */
  GHashTable            *stored_values; /* reconnect: the account's values, secrets included */

  GCancellable          *cancellable;      /* the dialog's lifetime */
  GCancellable          *test_cancellable; /* the running test */
  PorticoConnectionTest *test;             /* the last test started */
  GHashTable            *test_values;      /* the values it ran with */
  gboolean               test_valid;       /* finished, and nothing edited since */
  gboolean               testing;
  gboolean               connecting;
  gboolean               connect_after_test; /* connectors without a test */
  gboolean               name_edited;
  guint                  filling;            /* > 0 while the dialog itself sets values */

  /* Signing in through the browser (SPEC 11), before the test. */
  PorticoSignIn         *sign_in;
  AdwActionRow          *sign_in_row;     /* the waiting state: address, Copy, Cancel */

  /* Template widgets */
  AdwToastOverlay       *toast_overlay;
  AdwWindowTitle        *window_title;
  GtkButton             *cancel_button;
  GtkButton             *connect_button;
  GtkLabel              *connect_label;
  AdwAvatar             *icon;
  GtkLabel              *title_label;
  GtkLabel              *help_label;
  GtkLinkButton         *help_link;
  GtkWidget             *demo_box;
  GtkLabel              *demo_label;
  GtkWidget             *error_box;
  GtkLabel              *error_label;
  AdwPreferencesGroup   *permission_group;
  AdwActionRow          *read_row;
  AdwActionRow          *act_row;
  GtkCheckButton        *read_check;
  GtkCheckButton        *act_check;
  AdwPreferencesGroup   *fields_group;
  AdwPreferencesGroup   *account_group;
  AdwEntryRow           *name_row;
  AdwExpanderRow        *advanced_row;
  AdwPreferencesGroup   *test_group;
  GtkButton             *test_button;
  AdwPreferencesGroup   *delegate_group;
  AdwActionRow          *delegate_row;
  GtkLinkButton         *mailto_button;
  GtkButton             *copy_button;

  GtkLabel              *outcome_label; /* built in C, under the test rows */
};

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

#define CONNECTION_ROW "connection"

static void update_actions (PorticoConnectDialog *self);
static void run_test (PorticoConnectDialog *self);
static void start_test (PorticoConnectDialog *self);

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

static gboolean
is_api_base_url (const PorticoConnectorField *field)
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

      if (is_api_base_url (field))
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

/* ---- Small helpers ------------------------------------------------------- */

static void
set_accessible_label (GtkWidget  *widget,
                      const char *label)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
show_error (PorticoConnectDialog *self,
            const char           *message)
{
  gtk_label_set_label (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (self->error_box, message != NULL);
}

static void
set_outcome_message (PorticoConnectDialog *self,
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

static void
field_row_set_text (FieldRow   *fr,
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
      g_autofree char *help = g_markup_escape_text (fr->field->help != NULL ? fr->field->help : "", -1);

      adw_action_row_set_subtitle (ADW_ACTION_ROW (fr->row), fr->file_value != NULL ? _("A key file is set.") : help);
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
static gboolean
validate_field (PorticoConnectDialog *self,
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
static FieldRow *
validate_all (PorticoConnectDialog *self,
              gboolean              show)
{
  FieldRow *first_invalid = NULL;

  for (guint i = 0; i < self->field_rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->field_rows, i);

      if (!field_row_is_shown (fr))
        continue;
      if (!validate_field (self, fr, show) && first_invalid == NULL)
        first_invalid = fr;
    }

  return first_invalid;
}

static GHashTable *
collect_values (PorticoConnectDialog *self)
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

/* ---- Test rows ------------------------------------------------------------ */

typedef enum
{
  ROW_IDLE,
  ROW_RUNNING,
  ROW_OK,
  ROW_WARNING,
  ROW_FAILED,
} RowState;

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

static void
add_test_row (PorticoConnectDialog *self,
              const char           *id,
              const char           *title)
{
  TestRow *tr = g_new0 (TestRow, 1);
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *image = gtk_image_new ();
  GtkWidget *stack = gtk_stack_new ();

  tr->row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (tr->row), title);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (tr->row), 0);
  set_accessible_label (tr->row, title);
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

static void
reset_test_rows (PorticoConnectDialog *self,
                 RowState              state)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->test_rows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    test_row_set (value, state, state == ROW_RUNNING ? _("Testing…") : _("Not tested yet"));
}

/* ---- Actions and state ----------------------------------------------------- */

static void
update_actions (PorticoConnectDialog *self)
{
  gboolean has_test = portico_connector_has_test (self->connector);
  PorticoConnectionOutcome outcome = portico_connect_dialog_get_outcome (self);
  gboolean partial = has_test && outcome == PORTICO_CONNECTION_OUTCOME_B;
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
  set_accessible_label (GTK_WIDGET (self->connect_button), accessible);

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
      reset_test_rows (self, ROW_IDLE);
    }

  if (self->test_valid)
    set_outcome_message (self, _("The details changed since the last test. Test again before connecting."),
                         "dim-label");
  self->test_valid = FALSE;
  if (self->duplicate_found)
    {
      self->duplicate_found = FALSE;
      self->reconnect_account_id = 0;
      g_clear_pointer (&self->reconnect_external_id, g_free);
    }
  show_error (self, NULL);
  update_actions (self);
}

static void
on_field_changed (PorticoConnectDialog *self,
                  FieldRow             *fr)
{
  if (self->filling > 0)
    {
      validate_field (self, fr, FALSE);
      return;
    }

  fr->touched = TRUE;
  validate_field (self, fr, FALSE);
  invalidate_test (self);
}

static void
on_entry_changed (GtkEditable *editable,
                  gpointer     user_data)
{
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (user_data);

  for (guint i = 0; i < self->field_rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->field_rows, i);

      if (fr->row == GTK_WIDGET (editable))
        {
          on_field_changed (self, fr);
          return;
        }
    }
}

static void
on_combo_selected (GObject    *object,
                   GParamSpec *pspec,
                   gpointer    user_data)
{
  on_entry_changed ((GtkEditable *) object, user_data);
}

/* Enter moves to the next field; in the last one it runs Test. */
static void
on_entry_activated (AdwEntryRow *row,
                    gpointer     user_data)
{
  PorticoConnectDialog *self = PORTICO_CONNECT_DIALOG (user_data);
  gboolean found = FALSE;

  for (guint i = 0; i < self->field_rows->len; i++)
    {
      FieldRow *fr = g_ptr_array_index (self->field_rows, i);

      if (!field_row_is_shown (fr) || is_api_base_url (fr->field))
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
      gboolean shown = is_api_base_url (fr->field);

      for (guint j = 0; !shown && j < asked->len; j++)
        {
          const PorticoConnectorField *field = g_ptr_array_index (asked, j);

          if (g_strcmp0 (field->id, fr->field->id) == 0)
            shown = TRUE;
        }

      gtk_widget_set_visible (fr->row, shown);
      validate_field (self, fr, FALSE);
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

/* ---- Test ------------------------------------------------------------------ */

static TestRow *
lookup_test_row (PorticoConnectDialog *self,
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
  TestRow *tr = lookup_test_row (self, CONNECTION_ROW);
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
  TestRow *tr = lookup_test_row (self, data_type_id);

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
  TestRow *tr = lookup_test_row (self, data_type_id);
  g_autofree char *subtitle = NULL;

  if (tr == NULL || test != self->test)
    return;

  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "%u item on the first page",
                                           "%u items on the first page", items),
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
  TestRow *tr = lookup_test_row (self, data_type_id);

  if (tr == NULL || test != self->test)
    return;

  test_row_set (tr,
                portico_connector_data_type_is_essential (self->connector, data_type_id) ? ROW_FAILED : ROW_WARNING,
                error != NULL ? error->message : _("This data type cannot be read"));
}

static void do_connect (PorticoConnectDialog *self);

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
          set_outcome_message (self, message, style);
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

  set_outcome_message (self, message, style);
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
      reset_test_rows (self, ROW_IDLE);
      show_error (self, error->message);
      update_actions (self);
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
  update_actions (self);

  if (self->connect_after_test)
    {
      self->connect_after_test = FALSE;
      if (outcome != PORTICO_CONNECTION_OUTCOME_C)
        do_connect (self);
      return;
    }

  if (outcome == PORTICO_CONNECTION_OUTCOME_A || outcome == PORTICO_CONNECTION_OUTCOME_B)
    gtk_widget_grab_focus (GTK_WIDGET (self->connect_button));
}

/* ---- Sign in through the browser ------------------------------------------- */

static void
sign_in_show_waiting (PorticoConnectDialog *self,
                      const char           *address)
{
  g_autofree char *markup = g_markup_escape_text (address != NULL ? address : "", -1);

  gtk_widget_set_visible (GTK_WIDGET (self->sign_in_row), address != NULL);
  adw_action_row_set_subtitle (self->sign_in_row, markup);
  /* Screen readers (and the end-to-end test) read the address here. */
  if (address != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self->sign_in_row),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, address, -1);
}

static void
browser_opened_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* No browser is not an error: the address can be copied. */
  if (!gtk_show_uri_full_finish (GTK_WINDOW (object), result, &error))
    g_debug ("No browser opened for the sign-in: %s", error->message);
}

static void
on_sign_in_address (PorticoSignIn        *sign_in,
                    const char           *address,
                    PorticoConnectDialog *self)
{
  sign_in_show_waiting (self, address);
  set_outcome_message (self, _("Waiting for you to sign in in the browser. If no browser opened, copy the address."),
                       "dim-label");
  /* Through the OpenURI portal when sandboxed (Flatpak). */
  gtk_show_uri_full (GTK_WINDOW (self), address, GDK_CURRENT_TIME, self->test_cancellable,
                     browser_opened_cb, NULL);
}

static void
sign_in_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PorticoConnectDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = portico_sign_in_run_finish (PORTICO_SIGN_IN (object), result, &error);

  if (g_cancellable_is_cancelled (self->cancellable) || PORTICO_SIGN_IN (object) != self->sign_in)
    return;
  g_clear_object (&self->sign_in);
  sign_in_show_waiting (self, NULL);
  self->testing = FALSE;

  if (!ok)
    {
      self->connect_after_test = FALSE;
      reset_test_rows (self, ROW_IDLE);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_outcome_message (self, _("Sign-in cancelled. Sign in again when you are ready."), "dim-label");
      else
        {
          set_outcome_message (self, NULL, NULL);
          show_error (self, error->message);
        }
      update_actions (self);
      return;
    }

  start_test (self);
}

static void
start_sign_in (PorticoConnectDialog *self)
{
  self->test_cancellable = g_cancellable_new ();
  self->test_valid = FALSE;
  self->testing = TRUE;
  g_clear_object (&self->sign_in);
  self->sign_in = portico_sign_in_new (portico_engine_get_runtime (self->engine), self->connector,
                                       self->test_values, self->permission);
  g_signal_connect (self->sign_in, "address-ready", G_CALLBACK (on_sign_in_address), self);
  reset_test_rows (self, ROW_IDLE);
  set_outcome_message (self, _("Starting the sign-in…"), "dim-label");
  update_actions (self);
  portico_sign_in_run_async (self->sign_in, self->test_cancellable, sign_in_done_cb, g_object_ref (self));
}

static void
cancel_sign_in_clicked (PorticoConnectDialog *self)
{
  if (self->sign_in != NULL && self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);
}

static void
copy_address_clicked (PorticoConnectDialog *self)
{
  const char *address = self->sign_in != NULL ? portico_sign_in_get_address (self->sign_in) : NULL;

  if (address == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), address);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Address copied")));
}

static void
build_sign_in_row (PorticoConnectDialog *self)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *copy = gtk_button_new_with_label (_("Copy Address"));
  GtkWidget *cancel = gtk_button_new_with_label (_("Cancel Sign-In"));
  GtkWidget *spinner = gtk_spinner_new ();
  g_autofree char *title = g_strdup_printf (_("Waiting for the sign-in with %s"),
                                            portico_connector_get_name (self->connector));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_spinner_start (GTK_SPINNER (spinner));
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), spinner);
  gtk_widget_set_valign (copy, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (cancel, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), copy);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), cancel);
  g_signal_connect_swapped (copy, "clicked", G_CALLBACK (copy_address_clicked), self);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (cancel_sign_in_clicked), self);
  gtk_widget_set_visible (row, FALSE);
  adw_preferences_group_add (self->test_group, row);
  self->sign_in_row = ADW_ACTION_ROW (row);
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
          show_error (self, _("The chosen file cannot be read as text. Choose the JSON key file."));
          if (error != NULL)
            g_debug ("%s", error->message);
        }
      else
        {
          g_clear_pointer (&fr->file_value, portico_secret_free);
          fr->file_value = content;
          /* Translators: the name of the chosen key file */
          {
            g_autofree char *escaped = g_markup_escape_text (basename, -1);

            subtitle = g_strdup_printf (_("%s chosen"), escaped);
          }
          adw_action_row_set_subtitle (ADW_ACTION_ROW (fr->row), subtitle);
          on_field_changed (self, fr);
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

static void
run_test (PorticoConnectDialog *self)
{
  FieldRow *invalid;

  if (self->testing || self->connecting)
    return;

  show_error (self, NULL);
  invalid = validate_all (self, TRUE);
  if (invalid != NULL)
    {
      self->connect_after_test = FALSE;
      set_outcome_message (self, _("Fix the highlighted details, then test again."), "error");
      gtk_widget_grab_focus (invalid->row);
      return;
    }

  if (self->test != NULL)
    g_signal_handlers_disconnect_by_data (self->test, self);
  g_clear_object (&self->test);
  g_clear_pointer (&self->test_values, g_hash_table_unref);
  g_clear_object (&self->test_cancellable);

  self->test_values = collect_values (self);
  if (portico_connector_signs_in (self->connector))
    {
      start_sign_in (self);
      return;
    }
  start_test (self);
}

static void
start_test (PorticoConnectDialog *self)
{
  self->test = portico_engine_new_test (self->engine, self->connector, self->test_values, self->permission);
  self->test_cancellable = g_cancellable_new ();
  self->test_valid = FALSE;
  self->testing = TRUE;

  g_signal_connect (self->test, "identity-checked", G_CALLBACK (on_identity_checked), self);
  g_signal_connect (self->test, "data-type-started", G_CALLBACK (on_data_type_started), self);
  g_signal_connect (self->test, "data-type-succeeded", G_CALLBACK (on_data_type_succeeded), self);
  g_signal_connect (self->test, "data-type-failed", G_CALLBACK (on_data_type_failed), self);

  reset_test_rows (self, ROW_RUNNING);
  set_outcome_message (self, _("Testing the connection and every data type…"), "dim-label");
  update_actions (self);

  portico_connection_test_run_async (self->test, self->test_cancellable,
                                     test_done_cb, g_object_ref (self));
}

static void
test_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  run_test (PORTICO_CONNECT_DIALOG (widget));
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
      show_error (self, error != NULL ? error->message : _("The account could not be connected."));
      update_actions (self);
      return;
    }

  finish_connected (self, account_id, replaced);
}

static void
do_connect (PorticoConnectDialog *self)
{
  g_autofree char *name = NULL;
  gboolean accept_partial;

  g_assert (self->test != NULL && self->test_valid);

  accept_partial = portico_connection_test_get_outcome (self->test) == PORTICO_CONNECTION_OUTCOME_B ||
                   !portico_connector_has_test (self->connector);
  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  self->connecting = TRUE;
  show_error (self, NULL);
  update_actions (self);

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
      run_test (self);
      return;
    }

  if (self->test == NULL || !self->test_valid)
    return;

  do_connect (self);
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
  set_accessible_label (button, accessible);

  return button;
}

static void
build_field_row (PorticoConnectDialog        *self,
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
      g_signal_connect (fr->row, "notify::selected", G_CALLBACK (on_combo_selected), self);
    }
  else if (field->type == PORTICO_FIELD_FILE)
    {
      GtkWidget *button = gtk_button_new_with_mnemonic (_("Choose _File…"));
      g_autofree char *button_name = g_strdup_printf (_("Choose the %s"), field->label);

      fr->row = adw_action_row_new ();
      if (field->help != NULL && *field->help != '\0')
        {
          g_autofree char *help = g_markup_escape_text (field->help, -1);

          adw_action_row_set_subtitle (ADW_ACTION_ROW (fr->row), help);
        }
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      set_accessible_label (button, button_name);
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

      g_signal_connect (fr->row, "changed", G_CALLBACK (on_entry_changed), self);
      g_signal_connect (fr->row, "entry-activated", G_CALLBACK (on_entry_activated), self);
    }

  /* AdwEntryRow names itself after its title; a combo row needs the label. */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (fr->row), field->label);
  if (ADW_IS_COMBO_ROW (fr->row) || field->type == PORTICO_FIELD_FILE)
    set_accessible_label (fr->row, field->label);
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

  if (is_api_base_url (field))
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

static void
build_permissions (PorticoConnectDialog *self)
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
      set_accessible_label (GTK_WIDGET (self->read_check), title);
    }
  if (act != NULL)
    {
      const char *title = json_object_get_string_member_with_default (act, "label", _("Read and take action"));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->act_row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->act_row),
                                   json_object_get_string_member_with_default (act, "help", NULL));
      set_accessible_label (GTK_WIDGET (self->act_check), title);
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
        field_row_set_text (fr, value);
      validate_field (self, fr, FALSE);
    }
  self->filling--;

  if (g_hash_table_lookup (values, "api_base_url") != NULL)
    adw_expander_row_set_subtitle (self->advanced_row, g_hash_table_lookup (values, "api_base_url"));
}

static void
build_demo_note (PorticoConnectDialog *self)
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

static void
load_values_cb (GObject      *object,
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
      show_error (self, error->message);
      return;
    }

  self->stored_values = g_hash_table_ref (values);
  fill_values (self, values, FALSE);
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

  build_permissions (self);

  fields = portico_connector_get_fields (self->connector);
  for (guint i = 0; i < fields->len; i++)
    build_field_row (self, g_ptr_array_index (fields, i));

  /* The name row is for new accounts; a reconnect keeps the account's name. */
  gtk_widget_set_visible (GTK_WIDGET (self->name_row), self->reconnect_account_id == 0);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), "");

  /* The test list: the identity request, then every data type. */
  gtk_widget_set_visible (GTK_WIDGET (self->test_group), portico_connector_has_test (self->connector));
  add_test_row (self, CONNECTION_ROW, _("Connection"));
  data_types = portico_connector_get_data_types (self->connector);
  for (guint i = 0; data_types != NULL && data_types[i] != NULL; i++)
    add_test_row (self, data_types[i], portico_data_type_label (data_types[i]));

  if (portico_connector_signs_in (self->connector))
    {
      g_autofree char *label = g_strdup_printf (_("_Sign In with %s"), name);
      g_autofree char *accessible = g_strdup_printf (_("Sign in with %s"), name);
      GtkWidget *child = gtk_button_get_child (self->test_button);

      if (GTK_IS_LABEL (child))
        gtk_label_set_text_with_mnemonic (GTK_LABEL (child), label);
      set_accessible_label (GTK_WIDGET (self->test_button), accessible);
      build_sign_in_row (self);
    }

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
        field_row_set_text (fr, fr->field->default_value);
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
    build_demo_note (self);

  if (self->reconnect_account_id > 0)
    portico_engine_load_values_async (self->engine, self->reconnect_account_id, self->cancellable,
                                      load_values_cb, g_object_ref (self));

  update_actions (self);
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
  field_row_set_text (fr, value);
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

  tr = lookup_test_row (self, data_type_id);
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
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, test_group);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, title_label);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PorticoConnectDialog, window_title);
  gtk_widget_class_bind_template_callback (widget_class, on_name_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_permission_toggled);

  gtk_widget_class_install_action (widget_class, "connect.test", NULL, test_action);
  gtk_widget_class_install_action (widget_class, "connect.connect", NULL, connect_action);
  gtk_widget_class_install_action (widget_class, "connect.copy-message", NULL, copy_message_action);
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
