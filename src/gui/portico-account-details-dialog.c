/* portico-account-details-dialog.c: "See details" of one account.
 *
 * The data types come with the account (list_accounts already holds each
 * one's last state); the history is read from the store in a thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-account-details-dialog"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "portico-json.h"
#include "portico-account-details-dialog.h"
#include "portico-account-tile.h"
#include "portico-scheduler.h"

#define MAX_RUNS 30

struct _PorticoAccountDetailsDialog
{
  AdwWindow       parent_instance;

  PorticoEngine  *engine;
  GCancellable   *cancellable;
  JsonObject     *account;
  guint           n_runs;
  guint           loaded : 1;

  AdwWindowTitle *window_title;
  AdwActionRow   *status_row;
  AdwActionRow   *identity_row;
  AdwActionRow   *fingerprint_row;
  AdwActionRow   *drift_row;
  GtkSpinButton  *drift_spin;
  GtkListBox     *data_type_list;
  GtkStack       *history_stack;
  GtkListBox     *history_list;
};

G_DEFINE_FINAL_TYPE (PorticoAccountDetailsDialog, portico_account_details_dialog, ADW_TYPE_WINDOW)



static const char *
status_words (const char *status)
{
  if (g_strcmp0 (status, "ok") == 0)
    return _("Synced");
  if (g_strcmp0 (status, "partial") == 0)
    return _("Partly synced");
  if (g_strcmp0 (status, "failed") == 0)
    return _("Failed");
  if (g_strcmp0 (status, "skipped") == 0)
    return _("Skipped");
  if (g_strcmp0 (status, "running") == 0 || status == NULL)
    return _("Did not finish");
  if (g_strcmp0 (status, "interrupted") == 0)
    return _("Interrupted");

  return status;
}

static const char *
icon_words (const char *css_class)
{
  if (g_strcmp0 (css_class, "success") == 0)
    return _("Synced");
  if (g_strcmp0 (css_class, "warning") == 0)
    return _("Partly synced");
  if (g_strcmp0 (css_class, "error") == 0)
    return _("Failed");

  return _("Not synced");
}

static GtkWidget *
new_row (const char *title,
         const char *subtitle,
         const char *icon_name,
         const char *css_class)
{
  GtkWidget *row = adw_action_row_new ();

  /* Names come from providers and admins: plain text, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  if (icon_name != NULL)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name (icon_name);

      if (css_class != NULL)
        gtk_widget_add_css_class (icon, css_class);
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, icon_words (css_class), -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), icon);
    }
  /* Screen readers and AT-SPI tests read the whole row at once. */
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, subtitle, -1);

  return row;
}

static char *
portico_format_store_time_unix (gint64 when)
{
  g_autoptr(GDateTime) local = NULL;

  if (when <= 0)
    return g_strdup (_("Never"));
  local = g_date_time_new_from_unix_local (when);
  /* Translators: a date and time, see g_date_time_format(). */
  return g_date_time_format (local, _("%e %b %Y, %H:%M"));
}

static void
drift_threshold_set_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(PorticoAccountDetailsDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!portico_engine_set_drift_threshold_finish (PORTICO_ENGINE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    adw_action_row_set_subtitle (self->drift_row, error->message);
}

/* The account's own drift threshold, saved as it changes. */
static void
on_drift_changed (PorticoAccountDetailsDialog *self)
{
  guint percent = (guint) gtk_spin_button_get_value_as_int (self->drift_spin);

  if (self->engine == NULL)
    return;
  portico_engine_set_drift_threshold_async (self->engine, portico_json_get_int (self->account, "id", 0),
                                            percent == PORTICO_STORE_HOLD_PERCENT ? 0 : percent,
                                            self->cancellable, drift_threshold_set_cb, g_object_ref (self));
}

static void
portico_account_details_dialog_fill (PorticoAccountDetailsDialog *self,
                                     PorticoConnector            *connector)
{
  JsonObject *account = self->account;
  const char *app = connector ? portico_connector_get_name (connector) : portico_json_get_string (account, "connector");
  const char *external;
  g_autofree char *last = portico_format_store_time (portico_json_get_string (account, "last_sync_at"));
  g_autofree char *status = NULL;
  g_autoptr(PorticoAccountStatus) account_status = NULL;

  adw_window_title_set_title (self->window_title, portico_json_get_string (account, "name"));
  adw_window_title_set_subtitle (self->window_title, app);
  gtk_window_set_title (GTK_WINDOW (self), portico_json_get_string (account, "name"));

  /* The same model as the tile and Needs attention: an account with
   * disabled data types never reads "every data type synced". */
  account_status = portico_account_status_new (account, NULL, g_get_real_time () / G_USEC_PER_SEC, 24);
  if (portico_account_state_from_json (account) == PORTICO_ACCOUNT_STATE_NEVER)
    status = g_strdup (account_status->summary);
  else
    /* Translators: "5 Dec 2026, 08:00: 2 of 3 data types synced; ..." */
    status = g_strdup_printf (_("%s: %s"), last, account_status->summary);
  adw_action_row_set_subtitle (self->status_row, status);

  external = portico_json_get_string (account, "external_name");
  if (external == NULL)
    external = portico_json_get_string (account, "external_id");
  adw_action_row_set_subtitle (self->identity_row, external ? external : _("Unknown"));
  /* A digest of the stored key, never the key: two accounts that show the
   * same one use the same key. */
  adw_action_row_set_subtitle (self->fingerprint_row,
                               portico_json_get_string (account, "fingerprint") != NULL
                               ? portico_json_get_string (account, "fingerprint")
                               : _("Not recorded (no key of its own, or connected before fingerprints)"));

  /* Drift protection guards identity providers and HR systems only. */
  if (connector != NULL &&
      (g_strcmp0 (portico_connector_get_category (connector), "identity_provider") == 0 ||
       g_strcmp0 (portico_connector_get_category (connector), "human_resources") == 0))
    {
      g_signal_handlers_block_by_func (self->drift_spin, on_drift_changed, self);
      gtk_spin_button_set_value (self->drift_spin,
                                 portico_json_get_int (account, "drift_threshold", PORTICO_STORE_HOLD_PERCENT));
      g_signal_handlers_unblock_by_func (self->drift_spin, on_drift_changed, self);
      gtk_widget_set_visible (GTK_WIDGET (self->drift_row), TRUE);
    }

  for (guint i = 0; i < account_status->data_types->len; i++)
    {
      PorticoDataTypeStatus *type = g_ptr_array_index (account_status->data_types, i);
      g_autofree char *success = NULL;
      g_autofree char *subtitle = NULL;
      const char *icon = NULL, *css = NULL;

      if (type->status == PORTICO_STATUS_DISABLED)
        {
          subtitle = g_strdup_printf (_("Not synced: %s"), type->reason);
          gtk_list_box_append (self->data_type_list,
                               new_row (portico_data_type_label (type->id), subtitle,
                                        "dialog-warning-symbolic", "warning"));
          continue;
        }

      success = portico_format_store_time_unix (type->last_success);
      if (type->items >= 0)
        subtitle = g_strdup_printf (g_dngettext (NULL,
                                                 "Last successful sync: %s · %'" PRId64 " item",
                                                 "Last successful sync: %s · %'" PRId64 " items", type->items),
                                    success, type->items);
      else
        subtitle = g_strdup_printf (_("Last successful sync: %s"), success);

      if (type->reason != NULL)
        {
          g_autofree char *with_reason = g_strdup_printf ("%s\n%s", subtitle, type->reason);

          g_free (subtitle);
          subtitle = g_steal_pointer (&with_reason);
        }

      switch (type->status)
        {
        case PORTICO_STATUS_OK:
          icon = "emblem-ok-symbolic";
          css = "success";
          break;
        case PORTICO_STATUS_FAILING:
        case PORTICO_STATUS_SIGN_IN_EXPIRED:
          icon = "dialog-error-symbolic";
          css = "error";
          break;
        case PORTICO_STATUS_STALE:
        case PORTICO_STATUS_HELD:
          icon = "dialog-warning-symbolic";
          css = "warning";
          break;
        case PORTICO_STATUS_PENDING:
        case PORTICO_STATUS_PAUSED:
        case PORTICO_STATUS_OFFLINE:
        case PORTICO_STATUS_DISABLED:
        default:
          break;
        }

      gtk_list_box_append (self->data_type_list,
                           new_row (portico_data_type_label (type->id), subtitle, icon, css));
    }
}

static void
load_runs_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  PorticoStore *store = task_data;
  PorticoAccountDetailsDialog *self = source_object;
  GError *error = NULL;
  JsonNode *node;

  node = portico_store_list_sync_runs (store, json_object_get_int_member (self->account, "id"), &error);
  if (node == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

static void
load_runs_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  PorticoAccountDetailsDialog *self = PORTICO_ACCOUNT_DETAILS_DIALOG (source);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *runs;

  node = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->loaded = TRUE;
  if (node == NULL)
    {
      GtkWidget *label = gtk_stack_get_child_by_name (self->history_stack, "empty");

      gtk_label_set_label (GTK_LABEL (label), error->message);
      gtk_stack_set_visible_child_name (self->history_stack, "empty");
      return;
    }

  runs = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  for (guint i = 0; runs != NULL && i < json_array_get_length (runs) && i < MAX_RUNS; i++)
    {
      JsonObject *run = json_array_get_object_element (runs, i);
      JsonArray *types = json_object_has_member (run, "data_types")
                         ? json_object_get_array_member (run, "data_types") : NULL;
      const char *status = portico_json_get_string (run, "status");
      g_autofree char *started = portico_format_store_time (portico_json_get_string (run, "started_at"));
      g_autofree char *title = g_strdup_printf ("%s — %s", started, status_words (status));
      g_autoptr(GString) subtitle = g_string_new (NULL);

      for (guint j = 0; types != NULL && j < json_array_get_length (types); j++)
        {
          JsonObject *type = json_array_get_object_element (types, j);
          const char *id = portico_json_get_string (type, "id");
          const char *type_status = portico_json_get_string (type, "status");
          const char *type_error = portico_json_get_string (type, "error");
          gint64 items = portico_json_get_int (type, "items", -1);

          if (id == NULL)
            continue;
          if (subtitle->len > 0)
            g_string_append_c (subtitle, '\n');
          if (g_strcmp0 (type_status, "ok") == 0)
            g_string_append_printf (subtitle, _("%s: %'" PRId64 " items"),
                                    portico_data_type_label (id), MAX (items, 0));
          else
            g_string_append_printf (subtitle, "%s: %s", portico_data_type_label (id),
                                    type_error ? type_error : status_words (type_status));
        }

      gtk_list_box_append (self->history_list,
                           new_row (title, subtitle->str,
                                    g_strcmp0 (status, "ok") == 0 ? "emblem-ok-symbolic"
                                    : g_strcmp0 (status, "partial") == 0 ? "dialog-warning-symbolic"
                                    : "dialog-error-symbolic",
                                    g_strcmp0 (status, "ok") == 0 ? "success"
                                    : g_strcmp0 (status, "partial") == 0 ? "warning" : "error"));
      self->n_runs++;
    }

  gtk_stack_set_visible_child_name (self->history_stack, self->n_runs > 0 ? "list" : "empty");
}

GtkWidget *
portico_account_details_dialog_new (PorticoEngine    *engine,
                                    JsonObject       *account,
                                    PorticoConnector *connector)
{
  PorticoAccountDetailsDialog *self;
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (PORTICO_IS_ENGINE (engine), NULL);
  g_return_val_if_fail (account != NULL, NULL);

  self = g_object_new (PORTICO_TYPE_ACCOUNT_DETAILS_DIALOG, NULL);
  self->engine = g_object_ref (engine);
  self->account = json_object_ref (account);
  portico_account_details_dialog_fill (self, connector);

  task = g_task_new (self, self->cancellable, load_runs_cb, NULL);
  g_task_set_source_tag (task, portico_account_details_dialog_new);
  g_task_set_task_data (task, g_object_ref (portico_engine_get_store (engine)), g_object_unref);
  g_task_run_in_thread (task, load_runs_thread);

  return GTK_WIDGET (self);
}

GListModel *
portico_account_details_dialog_get_data_type_rows (PorticoAccountDetailsDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_ACCOUNT_DETAILS_DIALOG (self), NULL);

  return gtk_widget_observe_children (GTK_WIDGET (self->data_type_list));
}

gboolean
portico_account_details_dialog_is_loaded (PorticoAccountDetailsDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_ACCOUNT_DETAILS_DIALOG (self), FALSE);

  return self->loaded;
}

guint
portico_account_details_dialog_get_n_runs (PorticoAccountDetailsDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_ACCOUNT_DETAILS_DIALOG (self), 0);

  return self->n_runs;
}

const char *
portico_account_details_dialog_get_fingerprint_text (PorticoAccountDetailsDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_ACCOUNT_DETAILS_DIALOG (self), NULL);

  return adw_action_row_get_subtitle (self->fingerprint_row);
}

GtkSpinButton *
portico_account_details_dialog_get_drift_spin (PorticoAccountDetailsDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_ACCOUNT_DETAILS_DIALOG (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->drift_row)) ? self->drift_spin : NULL;
}

gint64
portico_account_details_dialog_get_account_id (PorticoAccountDetailsDialog *self)
{
  g_return_val_if_fail (PORTICO_IS_ACCOUNT_DETAILS_DIALOG (self), 0);

  return portico_json_get_int (self->account, "id", 0);
}

static void
portico_account_details_dialog_dispose (GObject *object)
{
  PorticoAccountDetailsDialog *self = (PorticoAccountDetailsDialog *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), PORTICO_TYPE_ACCOUNT_DETAILS_DIALOG);
  g_clear_object (&self->engine);

  G_OBJECT_CLASS (portico_account_details_dialog_parent_class)->dispose (object);
}

static void
portico_account_details_dialog_finalize (GObject *object)
{
  PorticoAccountDetailsDialog *self = (PorticoAccountDetailsDialog *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->account, json_object_unref);

  G_OBJECT_CLASS (portico_account_details_dialog_parent_class)->finalize (object);
}

static void
portico_account_details_dialog_class_init (PorticoAccountDetailsDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_account_details_dialog_dispose;
  object_class->finalize = portico_account_details_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-account-details-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountDetailsDialog, data_type_list);
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountDetailsDialog, history_list);
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountDetailsDialog, history_stack);
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountDetailsDialog, identity_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountDetailsDialog, fingerprint_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountDetailsDialog, drift_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountDetailsDialog, drift_spin);
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountDetailsDialog, status_row);
  gtk_widget_class_bind_template_child (widget_class, PorticoAccountDetailsDialog, window_title);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
portico_account_details_dialog_init (PorticoAccountDetailsDialog *self)
{
  self->cancellable = g_cancellable_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (self->drift_spin, "value-changed", G_CALLBACK (on_drift_changed), self);
}
