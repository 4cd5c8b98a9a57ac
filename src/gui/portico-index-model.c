/* portico-index-model.c: a list model over rows made off the main loop.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-index-model"

#include "config.h"

#include "portico-index-model.h"

struct _PorticoIndexModel
{
  GObject                    parent_instance;

  GType                      item_type;
  PorticoIndexModelItemFunc  item;
  GBoxedCopyFunc             source_ref;
  GDestroyNotify             source_unref;

  gpointer                   source;
  GArray                    *positions;   /* guint */
};

static void portico_index_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PorticoIndexModel, portico_index_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, portico_index_model_list_model_init))

static GType
portico_index_model_get_item_type (GListModel *model)
{
  return PORTICO_INDEX_MODEL (model)->item_type;
}

static guint
portico_index_model_get_n_items (GListModel *model)
{
  PorticoIndexModel *self = PORTICO_INDEX_MODEL (model);

  return self->positions != NULL ? self->positions->len : 0;
}

static gpointer
portico_index_model_get_item (GListModel *model,
                              guint       position)
{
  PorticoIndexModel *self = PORTICO_INDEX_MODEL (model);

  if (self->positions == NULL || position >= self->positions->len)
    return NULL;

  return self->item (self->source, g_array_index (self->positions, guint, position));
}

static void
portico_index_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = portico_index_model_get_item_type;
  iface->get_n_items = portico_index_model_get_n_items;
  iface->get_item = portico_index_model_get_item;
}

static void
portico_index_model_clear (PorticoIndexModel *self)
{
  g_clear_pointer (&self->positions, g_array_unref);
  if (self->source != NULL)
    self->source_unref (g_steal_pointer (&self->source));
}

static void
portico_index_model_finalize (GObject *object)
{
  portico_index_model_clear (PORTICO_INDEX_MODEL (object));

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
}

PorticoIndexModel *
portico_index_model_new (GType                     item_type,
                         PorticoIndexModelItemFunc item,
                         GBoxedCopyFunc            source_ref,
                         GDestroyNotify            source_unref)
{
  PorticoIndexModel *self;

  g_return_val_if_fail (g_type_is_a (item_type, G_TYPE_OBJECT), NULL);
  g_return_val_if_fail (item != NULL && source_ref != NULL && source_unref != NULL, NULL);

  self = g_object_new (PORTICO_TYPE_INDEX_MODEL, NULL);
  self->item_type = item_type;
  self->item = item;
  self->source_ref = source_ref;
  self->source_unref = source_unref;

  return self;
}

void
portico_index_model_set (PorticoIndexModel *self,
                         gpointer           source,
                         GArray            *positions)
{
  guint removed, added;

  g_return_if_fail (PORTICO_IS_INDEX_MODEL (self));
  g_return_if_fail (positions == NULL || source != NULL);

  removed = self->positions != NULL ? self->positions->len : 0;
  added = positions != NULL ? positions->len : 0;

  /* The new source first: it may be the one shown now. */
  if (source != NULL)
    source = self->source_ref (source);
  portico_index_model_clear (self);
  self->source = source;
  self->positions = positions;

  if (removed > 0 || added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, added);
}

gpointer
portico_index_model_get_source (PorticoIndexModel *self)
{
  g_return_val_if_fail (PORTICO_IS_INDEX_MODEL (self), NULL);

  return self->source;
}

guint
portico_index_model_get_index (PorticoIndexModel *self,
                               guint              position)
{
  g_return_val_if_fail (PORTICO_IS_INDEX_MODEL (self), G_MAXUINT);

  if (self->positions == NULL || position >= self->positions->len)
    return G_MAXUINT;

  return g_array_index (self->positions, guint, position);
}

/* ---- Freeing in a thread ---------------------------------------------- */

typedef struct
{
  gpointer       data;
  GDestroyNotify free_func;
} Garbage;

static void
free_garbage (gpointer data,
              gpointer user_data)
{
  Garbage *garbage = data;

  garbage->free_func (garbage->data);
  g_free (garbage);
}

void
portico_free_in_thread (gpointer       data,
                        GDestroyNotify free_func)
{
  static GThreadPool *pool;
  Garbage *garbage;

  g_return_if_fail (free_func != NULL);

  if (data == NULL)
    return;

  if (g_once_init_enter (&pool))
    g_once_init_leave (&pool, g_thread_pool_new (free_garbage, NULL, 1, FALSE, NULL));

  garbage = g_new (Garbage, 1);
  garbage->data = data;
  garbage->free_func = free_func;
  g_thread_pool_push (pool, garbage, NULL);
}
