/* portico-index-model.c: a list model over rows made off the main loop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-index-model"

#include "config.h"

#include "portico-index-model.h"

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* ---- Slots ---------------------------------------------------------------- */

struct _PorticoIndexSlot
{
  GObject            parent_instance;

  PorticoIndexModel *model;      /* unowned; NULL once the model is gone */
  guint              position;
  gpointer           source;     /* referenced through the model's functions */
  guint              index;
  gboolean           dirty;      /* "changed" not emitted yet */
};

enum
{
  SLOT_CHANGED,
  N_SLOT_SIGNALS
};

static guint slot_signals[N_SLOT_SIGNALS];

G_DEFINE_FINAL_TYPE (PorticoIndexSlot, portico_index_slot, G_TYPE_OBJECT)

struct _PorticoIndexModel
{
  GObject         parent_instance;

  GBoxedCopyFunc  source_ref;
  GDestroyNotify  source_unref;

  gpointer        source;
  GArray         *positions;   /* guint */
  GHashTable     *slots;       /* position -> PorticoIndexSlot, unowned */
  /* The items reported: the positions' length, reached in steps when the
   * list grows from a few rows (see portico_index_model_set ()). */
  guint           n_items;
  guint           grow_source;
  /* Slots pointed at another row emit "changed" those nearest @focus
   * first, a batch a frame: each costs GTK a new text layout. */
  guint           focus;
  guint           settle_source;
};

/* GTK 4.8's list widgets make row widgets for up to 200 rows from the top
 * at once; growing by this many rows a frame until past them keeps each
 * frame's share of that work short. */
#define GROW_STEP    12
#define GROW_LIMIT  256
#define GROW_PERIOD  16  /* ms, one frame */
/* Rows updated in the frame of a change (from the focus on) and in each
 * frame after it. */
#define SETTLE_FIRST 32
#define SETTLE_STEP  32

static void
portico_index_slot_set_row (PorticoIndexSlot *self,
                            gpointer          source,
                            guint             index)
{
  gpointer old = self->source;

  self->source = source != NULL ? self->model->source_ref (source) : NULL;
  self->index = index;
  if (old != NULL)
    self->model->source_unref (old);
}

static void
portico_index_slot_finalize (GObject *object)
{
  PorticoIndexSlot *self = PORTICO_INDEX_SLOT (object);

  if (self->model != NULL)
    {
      g_hash_table_remove (self->model->slots, GUINT_TO_POINTER (self->position));
      portico_index_slot_set_row (self, NULL, 0);
    }

  G_OBJECT_CLASS (portico_index_slot_parent_class)->finalize (object);
}

static void
portico_index_slot_class_init (PorticoIndexSlotClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = portico_index_slot_finalize;

  /* The slot shows another row: its widgets show it again. */
  slot_signals[SLOT_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                             0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
portico_index_slot_init (PorticoIndexSlot *self)
{
}

gpointer
portico_index_slot_get_source (PorticoIndexSlot *self)
{
  g_return_val_if_fail (PORTICO_IS_INDEX_SLOT (self), NULL);

  return self->source;
}

guint
portico_index_slot_get_index (PorticoIndexSlot *self)
{
  g_return_val_if_fail (PORTICO_IS_INDEX_SLOT (self), G_MAXUINT);

  return self->index;
}

PorticoIndexSlot *
portico_index_slot_new_empty (void)
{
  return g_object_new (PORTICO_TYPE_INDEX_SLOT, NULL);
}

/* ---- The model ------------------------------------------------------------ */

static void portico_index_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PorticoIndexModel, portico_index_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, portico_index_model_list_model_init))

static GType
portico_index_model_get_item_type (GListModel *model)
{
  return PORTICO_TYPE_INDEX_SLOT;
}

static guint
portico_index_model_get_n_items (GListModel *model)
{
  return PORTICO_INDEX_MODEL (model)->n_items;
}

static gpointer
portico_index_model_get_item (GListModel *model,
                              guint       position)
{
  PorticoIndexModel *self = PORTICO_INDEX_MODEL (model);
  PorticoIndexSlot *slot;

  if (position >= self->n_items)
    return NULL;

  slot = g_hash_table_lookup (self->slots, GUINT_TO_POINTER (position));
  if (slot != NULL)
    return g_object_ref (slot);

  slot = g_object_new (PORTICO_TYPE_INDEX_SLOT, NULL);
  slot->model = self;
  slot->position = position;
  portico_index_slot_set_row (slot, self->source, g_array_index (self->positions, guint, position));
  g_hash_table_insert (self->slots, GUINT_TO_POINTER (position), slot);

  return slot;
}

static void
portico_index_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = portico_index_model_get_item_type;
  iface->get_n_items = portico_index_model_get_n_items;
  iface->get_item = portico_index_model_get_item;
}

static void
portico_index_model_finalize (GObject *object)
{
  PorticoIndexModel *self = PORTICO_INDEX_MODEL (object);
  GHashTableIter iter;
  gpointer slot;

  g_clear_handle_id (&self->grow_source, g_source_remove);
  g_clear_handle_id (&self->settle_source, g_source_remove);
  /* Slots that outlive the model keep their source until they go. */
  g_hash_table_iter_init (&iter, self->slots);
  while (g_hash_table_iter_next (&iter, NULL, &slot))
    {
      if (((PorticoIndexSlot *) slot)->source != NULL)
        self->source_unref (((PorticoIndexSlot *) slot)->source);
      ((PorticoIndexSlot *) slot)->source = NULL;
      ((PorticoIndexSlot *) slot)->model = NULL;
    }
  g_hash_table_unref (self->slots);
  portico_free_in_thread (g_steal_pointer (&self->positions), (GDestroyNotify) g_array_unref);
  if (self->source != NULL)
    self->source_unref (g_steal_pointer (&self->source));

  G_OBJECT_CLASS (portico_index_model_parent_class)->finalize (object);
}

static void
portico_index_model_class_init (PorticoIndexModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = portico_index_model_finalize;
}

static void
portico_index_model_init (PorticoIndexModel *self)
{
  self->slots = g_hash_table_new (NULL, NULL);
}

PorticoIndexModel *
portico_index_model_new (GBoxedCopyFunc source_ref,
                         GDestroyNotify source_unref)
{
  PorticoIndexModel *self;

  g_return_val_if_fail (source_ref != NULL && source_unref != NULL, NULL);

  self = g_object_new (PORTICO_TYPE_INDEX_MODEL, NULL);
  self->source_ref = source_ref;
  self->source_unref = source_unref;

  return self;
}

static gboolean
portico_index_model_grow (gpointer data)
{
  PorticoIndexModel *self = data;
  guint before = self->n_items;
  guint all = self->positions != NULL ? self->positions->len : 0;

  self->n_items = before < GROW_LIMIT ? MIN (before + GROW_STEP, all) : all;
  if (self->n_items == all)
    self->grow_source = 0;
  g_list_model_items_changed (G_LIST_MODEL (self), before, 0, self->n_items - before);

  return self->n_items < all ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static guint
distance (guint a,
          guint b)
{
  return a > b ? a - b : b - a;
}

static int
compare_by_focus (gconstpointer a,
                  gconstpointer b,
                  gpointer      user_data)
{
  guint focus = GPOINTER_TO_UINT (user_data);
  guint pa = (*(PorticoIndexSlot * const *) a)->position;
  guint pb = (*(PorticoIndexSlot * const *) b)->position;
  /* Rows above the focus count double: the focus is the top row shown. */
  guint da = pa < focus ? 2 * distance (pa, focus) : distance (pa, focus);
  guint db = pb < focus ? 2 * distance (pb, focus) : distance (pb, focus);

  return (da > db) - (da < db);
}

/* Emits "changed" on up to @n dirty slots, nearest the focus first; TRUE
 * when some are left. */
static gboolean
portico_index_model_emit_changed (PorticoIndexModel *self,
                                  guint              n)
{
  g_autoptr(GPtrArray) dirty = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer slot;

  g_hash_table_iter_init (&iter, self->slots);
  while (g_hash_table_iter_next (&iter, NULL, &slot))
    if (((PorticoIndexSlot *) slot)->dirty)
      g_ptr_array_add (dirty, g_object_ref (slot));
  g_ptr_array_sort_with_data (dirty, compare_by_focus, GUINT_TO_POINTER (self->focus));

  for (guint i = 0; i < MIN (n, dirty->len); i++)
    {
      PorticoIndexSlot *s = dirty->pdata[i];

      s->dirty = FALSE;
      g_signal_emit (s, slot_signals[SLOT_CHANGED], 0);
    }

  return dirty->len > n;
}

static gboolean
portico_index_model_settle (gpointer data)
{
  PorticoIndexModel *self = data;

  if (portico_index_model_emit_changed (self, SETTLE_STEP))
    return G_SOURCE_CONTINUE;

  self->settle_source = 0;
  return G_SOURCE_REMOVE;
}

void
portico_index_model_set (PorticoIndexModel *self,
                         gpointer           source,
                         GArray            *positions)
{
  GHashTableIter iter;
  gpointer slot;
  guint before, after;

  g_return_if_fail (PORTICO_IS_INDEX_MODEL (self));
  g_return_if_fail (positions == NULL || source != NULL);

  g_clear_handle_id (&self->grow_source, g_source_remove);
  before = self->n_items;
  after = positions != NULL ? positions->len : 0;
  /* From a few rows to many: the first rows now, more each frame. */
  if (after > before && before < GROW_LIMIT && after - before > GROW_STEP)
    {
      after = before + GROW_STEP;
      self->grow_source = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, GROW_PERIOD,
                                              portico_index_model_grow, self, NULL);
    }
  self->n_items = after;

  /* The new source first: it may be the one shown now. */
  if (source != NULL)
    source = self->source_ref (source);
  portico_free_in_thread (g_steal_pointer (&self->positions), (GDestroyNotify) g_array_unref);
  if (self->source != NULL)
    self->source_unref (self->source);
  self->source = source;
  self->positions = positions;

  /* The slots GTK holds show their position's new row; those past the new
   * end go with the items-changed below. */
  g_hash_table_iter_init (&iter, self->slots);
  while (g_hash_table_iter_next (&iter, NULL, &slot))
    {
      PorticoIndexSlot *s = slot;
      guint index;

      if (s->position >= after)
        continue;
      index = g_array_index (positions, guint, s->position);
      if (s->source == source && s->index == index)
        continue;
      portico_index_slot_set_row (s, source, index);
      s->dirty = TRUE;
    }

  g_clear_handle_id (&self->settle_source, g_source_remove);
  if (portico_index_model_emit_changed (self, SETTLE_FIRST))
    self->settle_source = g_timeout_add_full (G_PRIORITY_DEFAULT_IDLE, GROW_PERIOD,
                                              portico_index_model_settle, self, NULL);

  if (after < before)
    g_list_model_items_changed (G_LIST_MODEL (self), after, before - after, 0);
  else if (after > before)
    g_list_model_items_changed (G_LIST_MODEL (self), before, 0, after - before);
}

gpointer
portico_index_model_get_source (PorticoIndexModel *self)
{
  g_return_val_if_fail (PORTICO_IS_INDEX_MODEL (self), NULL);

  return self->source;
}

guint
portico_index_model_get_n_positions (PorticoIndexModel *self)
{
  g_return_val_if_fail (PORTICO_IS_INDEX_MODEL (self), 0);

  return self->positions != NULL ? self->positions->len : 0;
}

gboolean
portico_index_model_is_settling (PorticoIndexModel *self)
{
  g_return_val_if_fail (PORTICO_IS_INDEX_MODEL (self), FALSE);

  return self->grow_source != 0 || self->settle_source != 0;
}

void
portico_index_model_set_focus (PorticoIndexModel *self,
                               guint              position)
{
  g_return_if_fail (PORTICO_IS_INDEX_MODEL (self));

  self->focus = position;
}

guint
portico_index_model_get_index (PorticoIndexModel *self,
                               guint              position)
{
  g_return_val_if_fail (PORTICO_IS_INDEX_MODEL (self), G_MAXUINT);

  if (position >= self->n_items)
    return G_MAXUINT;

  return g_array_index (self->positions, guint, position);
}

guint
portico_index_model_first_shown (GListModel    *model,
                                 GtkScrollable *scrollable)
{
  GtkAdjustment *adjustment;
  guint n_items;
  double upper;

  g_return_val_if_fail (G_IS_LIST_MODEL (model), 0);
  g_return_val_if_fail (GTK_IS_SCROLLABLE (scrollable), 0);

  adjustment = gtk_scrollable_get_vadjustment (scrollable);
  n_items = g_list_model_get_n_items (model);
  upper = adjustment != NULL ? gtk_adjustment_get_upper (adjustment) : 0;
  if (upper <= 0 || n_items == 0)
    return 0;

  return MIN (n_items - 1, (guint) (gtk_adjustment_get_value (adjustment) / upper * n_items));
}

/* ---- Work off the main loop ------------------------------------------- */

/* Also the positions go there to be freed: a large block allocated by a
 * worker belongs to that thread's malloc arena, and freeing it makes glibc
 * consolidate the arena's free small blocks (hundreds of thousands after a
 * load was freed): 55 ms on the main loop at 100k events. */

static void run_job (gpointer data,
                     gpointer user_data);

/* The views' loads, sorts, searches and frees run in a pool of their own
 * whose threads run at a lower priority (nice 10): on two busy cores the
 * main loop then gets a CPU first and keeps drawing while they work. */
static GThreadPool *
background_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    g_once_init_leave (&pool, g_thread_pool_new (run_job, NULL, 4, TRUE, NULL));

  return pool;
}

typedef struct
{
  GTask           *task;      /* NULL for a free */
  GTaskThreadFunc  func;
  gpointer         data;
  GDestroyNotify   free_func;
} Job;

static void
run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;
  static GPrivate lowered;

#ifdef __linux__
  /* Once per thread: the pool's threads are its own (exclusive). */
  if (g_private_get (&lowered) == NULL)
    {
      setpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid), 10);
      g_private_set (&lowered, GINT_TO_POINTER (1));
    }
#endif

  if (job->task != NULL)
    {
      job->func (job->task, g_task_get_source_object (job->task), g_task_get_task_data (job->task),
                 g_task_get_cancellable (job->task));
      g_object_unref (job->task);
    }
  else
    job->free_func (job->data);
  g_free (job);
}

void
portico_run_in_background (GTask           *task,
                           GTaskThreadFunc  func)
{
  Job *job;

  g_return_if_fail (G_IS_TASK (task));
  g_return_if_fail (func != NULL);

  job = g_new0 (Job, 1);
  job->task = g_object_ref (task);
  job->func = func;
  g_thread_pool_push (background_pool (), job, NULL);
}

void
portico_free_in_thread (gpointer       data,
                        GDestroyNotify free_func)
{
  Job *job;

  g_return_if_fail (free_func != NULL);

  if (data == NULL)
    return;

  job = g_new0 (Job, 1);
  job->data = data;
  job->free_func = free_func;
  g_thread_pool_push (background_pool (), job, NULL);
}
