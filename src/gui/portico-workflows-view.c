/* portico-workflows-view.c: the Workflows view: each workflow, whether it is still valid and why not.
 *
 * The table itself (search, sorting, loading in a thread, CSV export) is a
 * PorticoTableView; this file says which read and which columns.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-workflows-view"

#include "config.h"

#include <glib/gi18n.h>

#include "portico-json.h"
#include "portico-workflows-view.h"
#include "portico-reload.h"
#include "portico-shown-layout.h"

struct _PorticoWorkflowsView
{
  GtkWidget         parent_instance;

  PorticoEngine    *engine;
  GCancellable     *cancellable;
  PorticoReload     reload;

  GtkWidget        *box;
  GtkWidget        *invalid_box;
  GtkListBox       *invalid_list;
  PorticoTableView *table;
};

G_DEFINE_FINAL_TYPE (PorticoWorkflowsView, portico_workflows_view, GTK_TYPE_WIDGET)

static char *
format_validity (JsonObject *row)
{
  const char *reason;

  if (json_object_get_boolean_member_with_default (row, "valid", TRUE))
    return g_strdup (_("Valid"));

  reason = json_object_has_member (row, "invalid_reason") && !json_object_get_null_member (row, "invalid_reason")
           ? json_object_get_string_member (row, "invalid_reason") : NULL;
  if (reason == NULL || reason[0] == '\0')
    return g_strdup (_("Invalid"));

  return g_strdup_printf (_("Invalid: %s"), reason);
}

/* "Suspend user, Remove license (failing: the account was disconnected)" */
static char *
format_actions (JsonObject *row)
{
  JsonArray *actions = json_object_has_member (row, "actions")
                       ? json_object_get_array_member (row, "actions") : NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; actions != NULL && i < json_array_get_length (actions); i++)
    {
      JsonObject *action = json_array_get_object_element (actions, i);
      const char *label;

      if (action == NULL)
        continue;
      label = json_object_get_string_member_with_default (action, "label", "");
      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, label);
      if (portico_json_get_string (action, "account_name") != NULL)
        /* Translators: the account an action uses, by its current name: " (Okta – Okta Corp HQ)". */
        g_string_append_printf (text, _(" (%s – %s)"), portico_json_get_string (action, "app") ?: "",
                                portico_json_get_string (action, "account_name"));
      if (json_object_get_boolean_member_with_default (action, "failing", FALSE))
        g_string_append_printf (text, " (%s)", _("failing"));
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* The trigger, and the account it depends on by its current name. */
static char *
format_trigger (JsonObject *row)
{
  const char *trigger = portico_json_get_string (row, "trigger");
  const char *account = portico_json_get_string (row, "trigger_account_name");

  if (account == NULL)
    return g_strdup (trigger != NULL ? trigger : "");
  /* Translators: "A person leaves in Okta · Okta – Okta Corp HQ" */
  return g_strdup_printf (_("%s · %s – %s"), trigger != NULL ? trigger : _("Trigger"),
                          portico_json_get_string (row, "trigger_app") ?: "", account);
}

static const PorticoTableColumn columns[] = {
  { N_("Name"), "name", PORTICO_TABLE_TEXT, TRUE, NULL },
  { N_("Status"), "valid", PORTICO_TABLE_TEXT, TRUE, format_validity },
  { N_("Trigger"), "trigger", PORTICO_TABLE_TEXT, TRUE, format_trigger },
  { N_("Actions"), "actions", PORTICO_TABLE_TEXT, TRUE, format_actions },
};

GtkWidget *
portico_workflows_view_new (void)
{
  return g_object_new (PORTICO_TYPE_WORKFLOWS_VIEW, NULL);
}

/* ---- Invalid workflows: re-point or delete ------------------------------- */

typedef struct
{
  JsonNode *workflows;
  JsonNode *accounts;
} FixData;

static void
fix_data_free (FixData *data)
{
  g_clear_pointer (&data->workflows, json_node_unref);
  g_clear_pointer (&data->accounts, json_node_unref);
  g_free (data);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PorticoStore *store = task_data;
  FixData *data = g_new0 (FixData, 1);
  GError *error = NULL;

  data->workflows = portico_store_list_workflows (store, &error);
  if (data->workflows != NULL)
    data->accounts = portico_store_list_accounts (store, &error);
  if (data->accounts == NULL)
    {
      fix_data_free (data);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, data, (GDestroyNotify) fix_data_free);
}

static void edit_done_cb (GObject *source, GAsyncResult *result, gpointer user_data);

static void
repoint_clicked (GtkButton            *button,
                 PorticoWorkflowsView *self)
{
  GtkDropDown *accounts = g_object_get_data (G_OBJECT (button), "portico-accounts");
  GArray *ids = g_object_get_data (G_OBJECT (accounts), "portico-ids");
  guint selected = gtk_drop_down_get_selected (accounts);
  gint64 workflow = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "portico-workflow"));

  if (self->engine == NULL || ids == NULL || selected >= ids->len)
    return;
  portico_engine_repoint_workflow_async (self->engine, workflow, g_array_index (ids, gint64, selected),
                                         self->cancellable, edit_done_cb, g_object_ref (self));
}

static void
on_delete_response (AdwMessageDialog     *dialog,
                    const char           *response,
                    PorticoWorkflowsView *self)
{
  gint64 workflow = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "portico-workflow"));

  if (g_strcmp0 (response, "delete") != 0 || self->engine == NULL)
    return;
  portico_engine_delete_workflow_async (self->engine, workflow, self->cancellable,
                                        edit_done_cb, g_object_ref (self));
}

static void
delete_clicked (GtkButton            *button,
                PorticoWorkflowsView *self)
{
  const char *name = g_object_get_data (G_OBJECT (button), "portico-name");
  g_autofree char *heading = g_strdup_printf (_("Delete “%s”?"), name);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                                       _("The workflow and its actions are deleted. This cannot be undone.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "portico-workflow", g_object_get_data (G_OBJECT (button), "portico-workflow"));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkWidget *
invalid_row_new (PorticoWorkflowsView *self,
                 JsonObject           *workflow,
                 JsonArray            *accounts)
{
  GtkWidget *row = adw_action_row_new ();
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GtkWidget *dropdown, *repoint, *delete;
  const char *name = portico_json_get_string (workflow, "name") ?: "";
  const char *reason = portico_json_get_string (workflow, "invalid_reason");
  gint64 id = portico_json_get_int (workflow, "id", 0);
  g_autofree char *repoint_name = g_strdup_printf (_("Re-point %s"), name);
  g_autofree char *delete_name = g_strdup_printf (_("Delete %s"), name);
  g_autofree char *dropdown_name = g_strdup_printf (_("Account for %s"), name);

  /* Names come from providers and admins: plain text, never markup. */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), reason != NULL ? reason : _("Invalid"));

  for (guint i = 0; i < json_array_get_length (accounts); i++)
    {
      JsonObject *account = json_array_get_object_element (accounts, i);
      gint64 account_id = portico_json_get_int (account, "id", 0);
      g_autofree char *label = g_strdup_printf ("%s – %s", portico_json_get_string (account, "connector") ?: "",
                                                portico_json_get_string (account, "name") ?: "");

      gtk_string_list_append (names, label);
      g_array_append_val (ids, account_id);
    }
  dropdown = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL);
  g_object_set_data_full (G_OBJECT (dropdown), "portico-ids", ids, (GDestroyNotify) g_array_unref);
  gtk_widget_set_valign (dropdown, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL, dropdown_name, -1);
  gtk_widget_set_sensitive (dropdown, ids->len > 0);

  repoint = gtk_button_new_with_mnemonic (_("_Re-point"));
  gtk_widget_set_valign (repoint, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (repoint, _("Trigger this workflow from the chosen account; it becomes valid again"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (repoint), GTK_ACCESSIBLE_PROPERTY_LABEL, repoint_name, -1);
  gtk_widget_set_sensitive (repoint, ids->len > 0);
  g_object_set_data (G_OBJECT (repoint), "portico-accounts", dropdown);
  g_object_set_data (G_OBJECT (repoint), "portico-workflow", GSIZE_TO_POINTER ((gsize) id));
  g_signal_connect_object (repoint, "clicked", G_CALLBACK (repoint_clicked), self, 0);

  delete = gtk_button_new_with_mnemonic (_("_Delete"));
  gtk_widget_set_valign (delete, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (delete, "destructive-action");
  gtk_accessible_update_property (GTK_ACCESSIBLE (delete), GTK_ACCESSIBLE_PROPERTY_LABEL, delete_name, -1);
  g_object_set_data (G_OBJECT (delete), "portico-workflow", GSIZE_TO_POINTER ((gsize) id));
  g_object_set_data_full (G_OBJECT (delete), "portico-name", g_strdup (name), g_free);
  g_signal_connect_object (delete, "clicked", G_CALLBACK (delete_clicked), self, 0);

  adw_action_row_add_suffix (ADW_ACTION_ROW (row), dropdown);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), repoint);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), delete);

  return row;
}

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  PorticoWorkflowsView *self = PORTICO_WORKFLOWS_VIEW (source);
  g_autoptr(GError) error = NULL;
  FixData *data;
  JsonArray *workflows;
  guint n_invalid = 0;
  GtkWidget *child;

  gboolean again;

  data = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  again = portico_reload_end (&self->reload);
  if (data == NULL)
    {
      g_warning ("Cannot list the workflows: %s", error->message);
      return;
    }

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->invalid_list))) != NULL)
    gtk_list_box_remove (self->invalid_list, child);
  workflows = json_node_get_array (data->workflows);
  for (guint i = 0; i < json_array_get_length (workflows); i++)
    {
      JsonObject *workflow = json_array_get_object_element (workflows, i);

      if (portico_json_get_bool (workflow, "valid", TRUE))
        continue;
      gtk_list_box_append (self->invalid_list, invalid_row_new (self, workflow, json_node_get_array (data->accounts)));
      n_invalid++;
    }
  gtk_widget_set_visible (self->invalid_box, n_invalid > 0);
  fix_data_free (data);

  if (again)
    portico_workflows_view_reload_invalid (self);
}

void
portico_workflows_view_reload_invalid (PorticoWorkflowsView *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PORTICO_IS_WORKFLOWS_VIEW (self));

  if (self->engine == NULL)
    return;
  if (!portico_reload_begin (&self->reload))
    return;
  task = g_task_new (self, self->cancellable, load_cb, NULL);
  g_task_set_source_tag (task, portico_workflows_view_reload_invalid);
  g_task_set_task_data (task, g_object_ref (portico_engine_get_store (self->engine)), g_object_unref);
  g_task_run_in_thread (task, load_thread);
}

gboolean
portico_workflows_view_is_loading (PorticoWorkflowsView *self)
{
  g_return_val_if_fail (PORTICO_IS_WORKFLOWS_VIEW (self), FALSE);

  return self->reload.loading || portico_table_view_is_loading (self->table);
}

GtkListBox *
portico_workflows_view_get_invalid_list (PorticoWorkflowsView *self)
{
  g_return_val_if_fail (PORTICO_IS_WORKFLOWS_VIEW (self), NULL);

  return self->invalid_list;
}

static void
edit_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(PorticoWorkflowsView) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (g_task_get_source_tag (G_TASK (result)) == portico_engine_repoint_workflow_async)
    ok = portico_engine_repoint_workflow_finish (PORTICO_ENGINE (source), result, &error);
  else
    ok = portico_engine_delete_workflow_finish (PORTICO_ENGINE (source), result, &error);

  /* The engine's "accounts-changed" reloads both lists. */
  if (!ok && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (GTK_WIDGET (self)));
      GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                  _("The Workflow Was Not Changed"), error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
}

static void
on_engine_changed (PorticoWorkflowsView *self)
{
  portico_workflows_view_reload_invalid (self);
}

void
portico_workflows_view_set_engine (PorticoWorkflowsView *self,
                                   PorticoEngine        *engine)
{
  g_return_if_fail (PORTICO_IS_WORKFLOWS_VIEW (self));

  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_func (self->engine, on_engine_changed, self);
  g_set_object (&self->engine, engine);
  if (engine != NULL)
    {
      g_signal_connect_object (engine, "accounts-changed", G_CALLBACK (on_engine_changed), self, G_CONNECT_SWAPPED);
      portico_workflows_view_reload_invalid (self);
    }
  portico_table_view_set_engine (self->table, engine);
}

PorticoTableView *
portico_workflows_view_get_table (PorticoWorkflowsView *self)
{
  g_return_val_if_fail (PORTICO_IS_WORKFLOWS_VIEW (self), NULL);

  return self->table;
}

static void
portico_workflows_view_dispose (GObject *object)
{
  PorticoWorkflowsView *self = PORTICO_WORKFLOWS_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_func (self->engine, on_engine_changed, self);
  g_clear_object (&self->engine);
  gtk_widget_dispose_template (GTK_WIDGET (object), PORTICO_TYPE_WORKFLOWS_VIEW);

  G_OBJECT_CLASS (portico_workflows_view_parent_class)->dispose (object);
}

static void
portico_workflows_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (portico_workflows_view_parent_class)->map (widget);
  /* Hidden, it asked for no size (PorticoShownLayout). */
  gtk_widget_queue_resize (widget);
}

static void
portico_workflows_view_class_init (PorticoWorkflowsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_workflows_view_dispose;

  widget_class->map = portico_workflows_view_map;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-workflows-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, PORTICO_TYPE_SHOWN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, PorticoWorkflowsView, box);
  gtk_widget_class_bind_template_child (widget_class, PorticoWorkflowsView, invalid_box);
  gtk_widget_class_bind_template_child (widget_class, PorticoWorkflowsView, invalid_list);
  gtk_widget_class_bind_template_child (widget_class, PorticoWorkflowsView, table);

  g_type_ensure (PORTICO_TYPE_TABLE_VIEW);
}

static void
portico_workflows_view_init (PorticoWorkflowsView *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  portico_table_view_setup (self->table, "workflows", columns, G_N_ELEMENTS (columns),
                            portico_store_list_workflows,
                            "media-playlist-shuffle-symbolic",
                            _("No Workflows"),
                            _("Workflows that depend on integrations appear here, with whether they are still valid."));
}
