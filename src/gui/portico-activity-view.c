/* portico-activity-view.c: the Activity view: the audit trail of every
 * integration event, in words a person reads.
 *
 * Each event shows its local time (relative while recent), its translated
 * name and one sentence (portico-audit.h, the same words as `portico-cli
 * audit`); its details unfold under an expander. The newest disconnect of
 * an account that can still be restored offers Restore and Forget
 * Credentials Now, with the last day it can be restored. The list filters by
 * account, by kind of event and by text. Events are read from the store's
 * read API in a thread, again whenever the engine reports a change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-activity-view"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "portico-activity-view.h"
#include "portico-index-model.h"
#include "portico-reload.h"
#include "portico-audit.h"
#include "portico-json.h"

/* ---- One event, with its words computed once, off the main loop ------ */

#define PORTICO_TYPE_ACTIVITY_EVENT (portico_activity_event_get_type ())
G_DECLARE_FINAL_TYPE (PorticoActivityEvent, portico_activity_event, PORTICO, ACTIVITY_EVENT, GObject)

struct _PorticoActivityEvent
{
  GObject  parent_instance;

  gint64   account;
  char    *account_name;
  char    *kind;
  char    *time;      /* "5 minutes ago" */
  char    *summary;   /* "Renamed Okta Production to Okta Corp HQ" */
  char    *details;   /* nullable */
  char    *search_key; /* casefolded */
  /* A disconnect that can still be undone (the account's newest one):
   * until when, as a sentence; NULL otherwise. */
  char    *restorable_until;
};

G_DEFINE_FINAL_TYPE (PorticoActivityEvent, portico_activity_event, G_TYPE_OBJECT)

static void
portico_activity_event_finalize (GObject *object)
{
  PorticoActivityEvent *self = PORTICO_ACTIVITY_EVENT (object);

  g_free (self->account_name);
  g_free (self->kind);
  g_free (self->time);
  g_free (self->summary);
  g_free (self->details);
  g_free (self->search_key);
  g_free (self->restorable_until);

  G_OBJECT_CLASS (portico_activity_event_parent_class)->finalize (object);
}

static void
portico_activity_event_class_init (PorticoActivityEventClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = portico_activity_event_finalize;
}

static void
portico_activity_event_init (PorticoActivityEvent *self)
{
}

static PorticoActivityEvent *
portico_activity_event_new (JsonObject *event,
                            gint64      now)
{
  PorticoActivityEvent *self = g_object_new (PORTICO_TYPE_ACTIVITY_EVENT, NULL);
  g_autofree char *text = NULL;

  self->account = portico_json_get_int (event, "account", 0);
  self->account_name = g_strdup (portico_json_get_string (event, "account_name"));
  self->kind = g_strdup (portico_json_get_string (event, "kind"));
  self->time = portico_audit_format_time (portico_json_get_string (event, "time"), now);
  self->summary = portico_audit_event_summary (event);
  self->details = portico_audit_event_describe_details (event);
  text = g_strjoin ("\n", self->summary, portico_audit_kind_label (self->kind),
                    self->details != NULL ? self->details : "", NULL);
  self->search_key = g_utf8_casefold (text, -1);

  return self;
}

/* "Can be restored until 5 January 2027", from the store's UTC time. */
static char *
restorable_sentence (const char *expires_at)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (expires_at, NULL);
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *date = NULL;

  if (utc == NULL)
    return g_strdup_printf (_("Can be restored until %s"), expires_at);
  local = g_date_time_to_local (utc);
  /* Translators: the last day a disconnected account can be restored, in
   * g_date_time_format () notation: "5 January 2027". */
  date = g_date_time_format (local, _("%-d %B %Y"));
  return g_strdup_printf (_("Can be restored until %s"), date);
}

/* ---- Loads and filters, in a thread -------------------------------------- */

/* What a load gives: the events, newest first, and the accounts that have
 * some, in the order the events name them first (id and current name). */
typedef struct
{
  GPtrArray *events;      /* PorticoActivityEvent */
  GArray    *account_ids; /* gint64 */
  GPtrArray *account_names;
} Loaded;

/* Which events are shown. */
typedef struct
{
  gint64  account;   /* 0: all */
  char   *kind;      /* NULL: all */
  char   *search;    /* casefolded; NULL: all */
} Criteria;

static void
criteria_clear (Criteria *criteria)
{
  g_clear_pointer (&criteria->kind, g_free);
  g_clear_pointer (&criteria->search, g_free);
}

/* The positions of @events that @criteria shows; NULL when cancelled. */
static GArray *
filter_events (GPtrArray      *events,
               const Criteria *criteria,
               GCancellable   *cancellable)
{
  g_autoptr(GArray) shown = g_array_sized_new (FALSE, FALSE, sizeof (guint), events->len);

  for (guint i = 0; i < events->len; i++)
    {
      PorticoActivityEvent *event = g_ptr_array_index (events, i);

      if (i % 4096 == 0 && g_cancellable_is_cancelled (cancellable))
        return NULL;
      if (criteria->account != 0 && event->account != criteria->account)
        continue;
      if (criteria->kind != NULL && g_strcmp0 (criteria->kind, event->kind) != 0)
        continue;
      if (criteria->search != NULL && strstr (event->search_key, criteria->search) == NULL)
        continue;
      g_array_append_val (shown, i);
    }

  return g_steal_pointer (&shown);
}

static gpointer
events_ref (gpointer events)
{
  return g_ptr_array_ref (events);
}

/* Freeing 100k events takes the main loop longer than a frame; the
 * references are atomic, so whichever thread drops the last one frees. */
static void
events_unref (gpointer events)
{
  portico_free_in_thread (events, (GDestroyNotify) g_ptr_array_unref);
}

/* ---- The view ------------------------------------------------------------ */

struct _PorticoActivityView
{
  GtkWidget          parent_instance;

  PorticoEngine     *engine;
  GCancellable      *cancellable;
  GPtrArray         *events;        /* PorticoActivityEvent, newest first: the last load */
  PorticoIndexModel *shown;         /* the events the filter shows */
  GtkStringList     *account_names;
  GArray            *account_ids;   /* gint64, parallel to account_names; [0] = all */
  GtkStringList     *kind_names;
  PorticoReload      reload;
  /* Each filter change (and each load installed) is a new generation; a
   * result of an older one is dropped. */
  guint              generation;
  GCancellable      *filter_cancellable;
  gboolean           filtering;

  GtkSearchEntry    *search_entry;
  GtkDropDown       *account_dropdown;
  GtkDropDown       *kind_dropdown;
  GtkStack          *stack;
  AdwStatusPage     *empty_page;
  GtkListView       *list_view;
};

G_DEFINE_FINAL_TYPE (PorticoActivityView, portico_activity_view, GTK_TYPE_WIDGET)

/* The filter bar, read on the main loop. */
static void
portico_activity_view_get_criteria (PorticoActivityView *self,
                                    Criteria            *criteria)
{
  guint account = gtk_drop_down_get_selected (self->account_dropdown);
  guint kind = gtk_drop_down_get_selected (self->kind_dropdown);
  g_autofree char *search = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));

  criteria->account = account != GTK_INVALID_LIST_POSITION && account > 0 && account < self->account_ids->len
                      ? g_array_index (self->account_ids, gint64, account) : 0;
  criteria->kind = kind != GTK_INVALID_LIST_POSITION && kind > 0 && kind <= g_strv_length ((char **) portico_audit_kinds ())
                   ? g_strdup (portico_audit_kinds ()[kind - 1]) : NULL;
  criteria->search = search[0] != '\0' ? g_utf8_casefold (search, -1) : NULL;
}

static void
portico_activity_view_update_state (PorticoActivityView *self)
{
  guint n_all = self->events != NULL ? self->events->len : 0;
  guint n_shown = portico_index_model_get_n_positions (self->shown);

  if (n_all > 0 && n_shown == 0)
    {
      adw_status_page_set_title (self->empty_page, _("No Matching Events"));
      adw_status_page_set_description (self->empty_page, _("Choose another account or kind of event, or clear the search."));
    }
  else
    {
      adw_status_page_set_title (self->empty_page, _("No Activity Yet"));
      adw_status_page_set_description (self->empty_page,
                                       _("Connecting, syncing, renaming, reconnecting and disconnecting integrations are listed here, newest first."));
    }
  gtk_stack_set_visible_child_name (self->stack, n_shown > 0 ? "list" : "empty");
}

/* Drops what runs for older generations and starts a new one. */
static guint
portico_activity_view_next_generation (PorticoActivityView *self)
{
  g_cancellable_cancel (self->filter_cancellable);
  g_clear_object (&self->filter_cancellable);
  self->filter_cancellable = g_cancellable_new ();
  self->filtering = FALSE;

  return ++self->generation;
}

static void
portico_activity_view_install (PorticoActivityView *self,
                               GPtrArray           *events,
                               GArray              *positions)
{
  portico_index_model_set_focus (self->shown,
                                 portico_index_model_first_shown (G_LIST_MODEL (self->shown),
                                                                  GTK_SCROLLABLE (self->list_view)));
  portico_index_model_set (self->shown, events, positions);
  portico_activity_view_update_state (self);
}

typedef struct
{
  GPtrArray *events;
  Criteria   criteria;
  guint      generation;
} FilterData;

static void
filter_data_free (FilterData *data)
{
  g_clear_pointer (&data->events, events_unref);
  criteria_clear (&data->criteria);
  g_free (data);
}

static void
filter_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  FilterData *data = task_data;
  GArray *positions = filter_events (data->events, &data->criteria, cancellable);

  if (positions == NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
  else
    g_task_return_pointer (task, positions, (GDestroyNotify) g_array_unref);
}

static void
filter_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  PorticoActivityView *self = PORTICO_ACTIVITY_VIEW (source);
  FilterData *data = g_task_get_task_data (G_TASK (result));
  GArray *positions = g_task_propagate_pointer (G_TASK (result), NULL);

  if (positions == NULL)
    return;
  if (data->generation != self->generation)
    {
      portico_free_in_thread (positions, (GDestroyNotify) g_array_unref);
      return;
    }

  self->filtering = FALSE;
  portico_activity_view_install (self, data->events, positions);
}

static void
on_filter_changed (PorticoActivityView *self)
{
  g_autoptr(GTask) task = NULL;
  FilterData *data;
  guint generation;

  /* Template children notify while the view is built and torn down. */
  if (self->shown == NULL || self->stack == NULL || self->account_ids == NULL)
    return;

  generation = portico_activity_view_next_generation (self);
  /* A load under way filters its events when it is done. */
  if (self->events == NULL)
    return;

  data = g_new0 (FilterData, 1);
  data->events = g_ptr_array_ref (self->events);
  portico_activity_view_get_criteria (self, &data->criteria);
  data->generation = generation;

  self->filtering = TRUE;
  task = g_task_new (self, self->filter_cancellable, filter_cb, NULL);
  g_task_set_source_tag (task, on_filter_changed);
  g_task_set_task_data (task, data, (GDestroyNotify) filter_data_free);
  portico_run_in_background (task, filter_thread);
}

/* The account filter lists every account that has events, by its current
 * name; the selection survives a reload when the account still has one. */
static void
portico_activity_view_fill_accounts (PorticoActivityView *self,
                                     Loaded              *loaded)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  guint selected = gtk_drop_down_get_selected (self->account_dropdown);
  gint64 selected_id = selected != GTK_INVALID_LIST_POSITION && selected < self->account_ids->len
                       ? g_array_index (self->account_ids, gint64, selected) : 0;
  gint64 zero = 0;
  guint new_selected = 0;

  g_array_set_size (self->account_ids, 0);
  g_array_append_val (self->account_ids, zero);
  g_ptr_array_add (names, (gpointer) _("All accounts"));
  for (guint i = 0; i < loaded->account_ids->len; i++)
    {
      gint64 id = g_array_index (loaded->account_ids, gint64, i);

      if (id == selected_id)
        new_selected = self->account_ids->len;
      g_array_append_val (self->account_ids, id);
      g_ptr_array_add (names, g_ptr_array_index (loaded->account_names, i));
    }
  g_ptr_array_add (names, NULL);

  g_signal_handlers_block_by_func (self->account_dropdown, on_filter_changed, self);
  g_clear_object (&self->account_names);
  self->account_names = gtk_string_list_new ((const char * const *) names->pdata);
  gtk_drop_down_set_model (self->account_dropdown, G_LIST_MODEL (self->account_names));
  gtk_drop_down_set_selected (self->account_dropdown, new_selected);
  g_signal_handlers_unblock_by_func (self->account_dropdown, on_filter_changed, self);
}

typedef struct
{
  PorticoStore *store;
  Criteria      criteria;
  guint         generation;

  /* The result */
  Loaded        loaded;
  GArray       *positions;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->store);
  criteria_clear (&data->criteria);
  g_clear_pointer (&data->loaded.events, events_unref);
  g_clear_pointer (&data->loaded.account_ids, g_array_unref);
  g_clear_pointer (&data->loaded.account_names, g_ptr_array_unref);
  portico_free_in_thread (g_steal_pointer (&data->positions), (GDestroyNotify) g_array_unref);
  g_free (data);
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) restorable = NULL;
  g_autoptr(GHashTable) until = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  GError *error = NULL;
  JsonArray *array;

  node = portico_store_list_audit_events (data->store, 0, &error);
  if (node == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* Accounts whose disconnect can be undone: account id -> expires_at. */
  restorable = portico_store_list_restorable (data->store, &error);
  if (restorable == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (restorable)); i++)
    {
      JsonObject *item = json_array_get_object_element (json_node_get_array (restorable), i);
      gint64 id = portico_json_get_int (item, "account", 0);

      g_hash_table_insert (until, g_memdup2 (&id, sizeof id),
                           g_strdup (portico_json_get_string (item, "expires_at")));
    }

  data->loaded.account_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  data->loaded.account_names = g_ptr_array_new_with_free_func (g_free);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      PorticoActivityEvent *event;
      const char *expires_at;

      if (object == NULL)
        continue;
      if (i % 1024 == 0 && g_cancellable_is_cancelled (cancellable))
        break;
      event = portico_activity_event_new (object, now);
      g_ptr_array_add (events, event);
      /* Events come newest first: the first disconnect of an account is
       * the one a restore undoes. */
      expires_at = g_strcmp0 (event->kind, "disconnected") == 0
                   ? g_hash_table_lookup (until, &event->account) : NULL;
      if (expires_at != NULL)
        {
          event->restorable_until = restorable_sentence (expires_at);
          g_hash_table_remove (until, &event->account);
        }
      if (event->account != 0 && event->account_name != NULL &&
          !g_hash_table_contains (seen, &event->account))
        {
          g_hash_table_add (seen, g_memdup2 (&event->account, sizeof (gint64)));
          g_array_append_val (data->loaded.account_ids, event->account);
          g_ptr_array_add (data->loaded.account_names, g_strdup (event->account_name));
        }
    }

  data->loaded.events = g_steal_pointer (&events);
  data->positions = filter_events (data->loaded.events, &data->criteria, cancellable);
  if (data->positions == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
load_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  PorticoActivityView *self = PORTICO_ACTIVITY_VIEW (source);
  LoadData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean again;

  if (!g_task_propagate_boolean (G_TASK (result), &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  again = portico_reload_end (&self->reload);
  if (error != NULL)
    {
      g_warning ("Cannot load the activity: %s", error->message);
      adw_status_page_set_description (self->empty_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }

  g_clear_pointer (&self->events, events_unref);
  self->events = g_steal_pointer (&data->loaded.events);
  portico_activity_view_fill_accounts (self, &data->loaded);
  if (data->generation == self->generation)
    {
      /* Filtered as asked now; anything still running is for the old events. */
      portico_activity_view_next_generation (self);
      portico_activity_view_install (self, self->events, g_steal_pointer (&data->positions));
    }
  else
    on_filter_changed (self);

  if (again)
    portico_activity_view_reload (self);
}

void
portico_activity_view_reload (PorticoActivityView *self)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (PORTICO_IS_ACTIVITY_VIEW (self));

  if (self->engine == NULL)
    return;
  if (!portico_reload_begin (&self->reload))
    return;

  data = g_new0 (LoadData, 1);
  data->store = g_object_ref (portico_engine_get_store (self->engine));
  portico_activity_view_get_criteria (self, &data->criteria);
  data->generation = self->generation;

  task = g_task_new (self, self->cancellable, load_cb, NULL);
  g_task_set_source_tag (task, portico_activity_view_reload);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  portico_run_in_background (task, load_thread);
}

gboolean
portico_activity_view_is_loading (PorticoActivityView *self)
{
  g_return_val_if_fail (PORTICO_IS_ACTIVITY_VIEW (self), FALSE);

  return self->reload.loading || self->filtering || portico_index_model_is_settling (self->shown);
}

GtkWidget *
portico_activity_view_new (void)
{
  return g_object_new (PORTICO_TYPE_ACTIVITY_VIEW, NULL);
}

static void
on_engine_changed (PorticoActivityView *self)
{
  if (portico_reload_changed (&self->reload, GTK_WIDGET (self)))
    portico_activity_view_reload (self);
}

static void
portico_activity_view_map (GtkWidget *widget)
{
  PorticoActivityView *self = PORTICO_ACTIVITY_VIEW (widget);

  GTK_WIDGET_CLASS (portico_activity_view_parent_class)->map (widget);

  if (portico_reload_mapped (&self->reload))
    portico_activity_view_reload (self);
}

void
portico_activity_view_set_engine (PorticoActivityView *self,
                                  PorticoEngine       *engine)
{
  g_return_if_fail (PORTICO_IS_ACTIVITY_VIEW (self));
  g_return_if_fail (!engine || PORTICO_IS_ENGINE (engine));

  if (self->engine == engine)
    return;

  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_func (self->engine, on_engine_changed, self);
  g_set_object (&self->engine, engine);
  if (engine != NULL)
    {
      g_signal_connect_object (engine, "accounts-changed", G_CALLBACK (on_engine_changed),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (engine, "sync-finished", G_CALLBACK (on_engine_changed),
                               self, G_CONNECT_SWAPPED);
      portico_activity_view_reload (self);
    }
}

GListModel *
portico_activity_view_get_model (PorticoActivityView *self)
{
  g_return_val_if_fail (PORTICO_IS_ACTIVITY_VIEW (self), NULL);

  return G_LIST_MODEL (self->shown);
}

const char *
portico_activity_view_get_summary (PorticoActivityView *self,
                                   guint                position)
{
  guint index;

  g_return_val_if_fail (PORTICO_IS_ACTIVITY_VIEW (self), NULL);

  index = portico_index_model_get_index (self->shown, position);
  if (index == G_MAXUINT)
    return NULL;
  /* The model keeps the events (and their strings) alive. */
  return ((PorticoActivityEvent *) g_ptr_array_index ((GPtrArray *) portico_index_model_get_source (self->shown),
                                                      index))->summary;
}

void
portico_activity_view_set_filter (PorticoActivityView *self,
                                  gint64               account_id,
                                  const char          *kind)
{
  const char * const *kinds = portico_audit_kinds ();
  guint account = 0, kind_index = 0;
  Criteria criteria = { 0 };

  g_return_if_fail (PORTICO_IS_ACTIVITY_VIEW (self));

  for (guint i = 1; i < self->account_ids->len; i++)
    if (g_array_index (self->account_ids, gint64, i) == account_id)
      account = i;
  for (guint i = 0; kind != NULL && kinds[i] != NULL; i++)
    if (g_str_equal (kinds[i], kind))
      kind_index = i + 1;

  g_signal_handlers_block_by_func (self->account_dropdown, on_filter_changed, self);
  g_signal_handlers_block_by_func (self->kind_dropdown, on_filter_changed, self);
  gtk_drop_down_set_selected (self->account_dropdown, account);
  gtk_drop_down_set_selected (self->kind_dropdown, kind_index);
  g_signal_handlers_unblock_by_func (self->account_dropdown, on_filter_changed, self);
  g_signal_handlers_unblock_by_func (self->kind_dropdown, on_filter_changed, self);

  /* Filtered here and now, so that the caller sees the result. */
  portico_activity_view_next_generation (self);
  if (self->events == NULL)
    return;
  portico_activity_view_get_criteria (self, &criteria);
  portico_activity_view_install (self, self->events, filter_events (self->events, &criteria, NULL));
  criteria_clear (&criteria);
}

/* Rows: time and event name above the sentence, details under an expander. */
static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *kind = gtk_label_new (NULL);
  GtkWidget *time = gtk_label_new (NULL);
  GtkWidget *summary = gtk_label_new (NULL);
  GtkWidget *expander = gtk_expander_new (_("Details"));
  GtkWidget *details = gtk_label_new (NULL);
  GtkWidget *restore_box, *until, *restore, *forget;

  gtk_widget_add_css_class (kind, "heading");
  gtk_widget_add_css_class (time, "dim-label");
  gtk_widget_add_css_class (details, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (kind), 0);
  gtk_label_set_xalign (GTK_LABEL (time), 0);
  gtk_label_set_xalign (GTK_LABEL (summary), 0);
  gtk_label_set_xalign (GTK_LABEL (details), 0);
  gtk_label_set_wrap (GTK_LABEL (summary), TRUE);
  gtk_label_set_wrap (GTK_LABEL (details), TRUE);
  gtk_label_set_selectable (GTK_LABEL (details), TRUE);
  gtk_widget_set_margin_start (details, 18);
  gtk_expander_set_child (GTK_EXPANDER (expander), details);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);

  /* Restore and Forget Credentials Now, on a disconnect that can still be
   * undone. */
  restore_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  until = gtk_label_new (NULL);
  restore = gtk_button_new_with_mnemonic (_("_Restore"));
  forget = gtk_button_new_with_mnemonic (_("_Forget Credentials Now"));
  gtk_label_set_xalign (GTK_LABEL (until), 0);
  gtk_label_set_wrap (GTK_LABEL (until), TRUE);
  gtk_widget_set_hexpand (until, TRUE);
  gtk_widget_add_css_class (until, "dim-label");
  gtk_widget_add_css_class (restore, "suggested-action");
  gtk_widget_add_css_class (forget, "destructive-action");
  /* The target first: the action takes the account id. */
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (restore), g_variant_new_int64 (0));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (forget), g_variant_new_int64 (0));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (restore), "activity.restore");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (forget), "activity.forget");
  gtk_box_append (GTK_BOX (restore_box), until);
  gtk_box_append (GTK_BOX (restore_box), restore);
  gtk_box_append (GTK_BOX (restore_box), forget);

  gtk_box_append (GTK_BOX (header), kind);
  gtk_box_append (GTK_BOX (header), time);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), summary);
  gtk_box_append (GTK_BOX (box), restore_box);
  gtk_box_append (GTK_BOX (box), expander);
  gtk_list_item_set_child (item, box);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
update_row (GtkWidget        *box,
            PorticoIndexSlot *slot)
{
  PorticoActivityEvent *event = g_ptr_array_index ((GPtrArray *) portico_index_slot_get_source (slot),
                                                   portico_index_slot_get_index (slot));
  GtkWidget *header = gtk_widget_get_first_child (box);
  GtkWidget *kind = gtk_widget_get_first_child (header);
  GtkWidget *time = gtk_widget_get_next_sibling (kind);
  GtkWidget *summary = gtk_widget_get_next_sibling (header);
  GtkWidget *restore_box = gtk_widget_get_next_sibling (summary);
  GtkWidget *until = gtk_widget_get_first_child (restore_box);
  GtkWidget *restore = gtk_widget_get_next_sibling (until);
  GtkWidget *forget = gtk_widget_get_next_sibling (restore);
  GtkWidget *expander = gtk_widget_get_next_sibling (restore_box);
  GtkWidget *details = gtk_expander_get_child (GTK_EXPANDER (expander));
  g_autofree char *expander_name = NULL;
  g_autofree char *restore_name = NULL;
  g_autofree char *forget_name = NULL;

  gtk_label_set_label (GTK_LABEL (kind), portico_audit_kind_label (event->kind));
  gtk_label_set_label (GTK_LABEL (time), event->time);
  gtk_label_set_label (GTK_LABEL (summary), event->summary);
  gtk_label_set_label (GTK_LABEL (details), event->details != NULL ? event->details : "");
  gtk_expander_set_expanded (GTK_EXPANDER (expander), FALSE);
  gtk_widget_set_visible (expander, event->details != NULL);
  /* Translators: the accessible name of an event's expander: "Details of: Renamed A to B". */
  expander_name = g_strdup_printf (_("Details of: %s"), event->summary);
  gtk_accessible_update_property (GTK_ACCESSIBLE (expander), GTK_ACCESSIBLE_PROPERTY_LABEL, expander_name, -1);

  gtk_widget_set_visible (restore_box, event->restorable_until != NULL);
  gtk_label_set_label (GTK_LABEL (until), event->restorable_until != NULL ? event->restorable_until : "");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (restore), g_variant_new_int64 (event->account));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (forget), g_variant_new_int64 (event->account));
  /* Translators: the accessible name of a button: "Restore Acme" */
  restore_name = g_strdup_printf (_("Restore %s"), event->account_name != NULL ? event->account_name : "");
  /* Translators: the accessible name of a button: "Forget the credentials of Acme now" */
  forget_name = g_strdup_printf (_("Forget the credentials of %s now"),
                                 event->account_name != NULL ? event->account_name : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (restore), GTK_ACCESSIBLE_PROPERTY_LABEL, restore_name, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (forget), GTK_ACCESSIBLE_PROPERTY_LABEL, forget_name, -1);
}

static void
on_row_changed (PorticoIndexSlot *slot,
                GtkWidget        *box)
{
  update_row (box, slot);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  PorticoIndexSlot *slot = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);

  update_row (box, slot);
  /* A filter change or a reload points the slot at another event. */
  g_signal_connect_object (slot, "changed", G_CALLBACK (on_row_changed), box, 0);
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  g_signal_handlers_disconnect_by_func (gtk_list_item_get_item (item), on_row_changed,
                                        gtk_list_item_get_child (item));
}

/* Restore and forget report a refusal in a dialog: the view has no place
 * for a toast, and the sentence names what to do. */
static void
show_error (PorticoActivityView *self,
            const char          *heading,
            const GError        *error)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
restore_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PorticoActivityView) self = user_data;
  g_autoptr(GError) error = NULL;

  /* On success the engine reports the change and the list reloads. */
  if (portico_engine_restore_account_finish (PORTICO_ENGINE (source), result, &error) < 0)
    show_error (self, _("Cannot Restore"), error);
}

static void
restore_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  PorticoActivityView *self = PORTICO_ACTIVITY_VIEW (widget);

  if (self->engine == NULL)
    return;
  portico_engine_restore_account_async (self->engine, g_variant_get_int64 (param), self->cancellable,
                                        restore_cb, g_object_ref (self));
}

static void
forget_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PorticoActivityView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!portico_engine_forget_credentials_finish (PORTICO_ENGINE (source), result, &error))
    show_error (self, _("Cannot Forget the Credentials"), error);
}

static void
on_forget_response (AdwMessageDialog    *dialog,
                    const char          *response,
                    PorticoActivityView *self)
{
  gint64 account_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "portico-account-id"));

  if (g_strcmp0 (response, "forget") != 0 || self->engine == NULL)
    return;
  portico_engine_forget_credentials_async (self->engine, account_id, self->cancellable,
                                           forget_cb, g_object_ref (self));
}

static void
forget_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  PorticoActivityView *self = PORTICO_ACTIVITY_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  AdwMessageDialog *dialog;

  if (self->engine == NULL)
    return;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Forget the Credentials Now?"),
                                                       _("The credentials this account kept in the keyring are deleted, and the account can no longer be restored. To use it again, connect it again.")));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "forget", _("_Forget Credentials"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "forget", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "portico-account-id",
                     GSIZE_TO_POINTER ((gsize) g_variant_get_int64 (param)));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_forget_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
portico_activity_view_dispose (GObject *object)
{
  PorticoActivityView *self = PORTICO_ACTIVITY_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->filter_cancellable);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_func (self->engine, on_engine_changed, self);
  g_clear_object (&self->engine);
  gtk_widget_dispose_template (GTK_WIDGET (object), PORTICO_TYPE_ACTIVITY_VIEW);
  /* The unnamed box that holds the template's children. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL; )
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (portico_activity_view_parent_class)->dispose (object);
}

static void
portico_activity_view_finalize (GObject *object)
{
  PorticoActivityView *self = PORTICO_ACTIVITY_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->filter_cancellable);
  g_clear_pointer (&self->events, events_unref);
  g_clear_object (&self->shown);
  g_clear_object (&self->account_names);
  g_clear_object (&self->kind_names);
  g_clear_pointer (&self->account_ids, g_array_unref);

  G_OBJECT_CLASS (portico_activity_view_parent_class)->finalize (object);
}

static void
portico_activity_view_class_init (PorticoActivityViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = portico_activity_view_dispose;
  object_class->finalize = portico_activity_view_finalize;

  widget_class->map = portico_activity_view_map;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/portico/Portico/portico-activity-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, PorticoActivityView, account_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PorticoActivityView, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PorticoActivityView, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, PorticoActivityView, list_view);
  gtk_widget_class_bind_template_child (widget_class, PorticoActivityView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PorticoActivityView, stack);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);

  gtk_widget_class_install_action (widget_class, "activity.restore", "x", restore_action);
  gtk_widget_class_install_action (widget_class, "activity.forget", "x", forget_action);
}

static void
portico_activity_view_init (PorticoActivityView *self)
{
  const char * const *kinds = portico_audit_kinds ();
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  const char *all_accounts[] = { _("All accounts"), NULL };
  gint64 zero = 0;

  self->cancellable = g_cancellable_new ();
  self->filter_cancellable = g_cancellable_new ();
  self->account_ids = g_array_new (FALSE, TRUE, sizeof (gint64));
  g_array_append_val (self->account_ids, zero);

  gtk_widget_init_template (GTK_WIDGET (self));

  self->account_names = gtk_string_list_new (all_accounts);
  self->kind_names = gtk_string_list_new (NULL);
  gtk_string_list_append (self->kind_names, _("All events"));
  for (guint i = 0; kinds[i] != NULL; i++)
    gtk_string_list_append (self->kind_names, portico_audit_kind_label (kinds[i]));
  gtk_drop_down_set_model (self->account_dropdown, G_LIST_MODEL (self->account_names));
  gtk_drop_down_set_model (self->kind_dropdown, G_LIST_MODEL (self->kind_names));

  self->shown = portico_index_model_new (events_ref, events_unref);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view,
                           GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->shown)))));

  portico_activity_view_update_state (self);
}
