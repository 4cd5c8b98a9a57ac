/* portico-catalog.c: every connector Portico knows, shipped and custom.
 *
 * Broken definitions never stop the load: each becomes a problem that the
 * UI and CLI can show, and is only logged with g_message() because a broken
 * custom file is the admin's data, not a bug (tests run with fatal warnings).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-catalog"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "portico-catalog.h"
#include "portico-errors.h"

struct _PorticoCatalog
{
  GObject parent_instance;

  GPtrArray *items;     /* PorticoConnector, sorted */
  GPtrArray *keys;      /* SortKey of items[i], at the same index */
  GHashTable *by_id;    /* id -> PorticoConnector (borrowed from items) */
  GPtrArray *problems;  /* GError */
};

static void portico_catalog_list_model_init (GListModelInterface *iface);

typedef struct _SortKey SortKey;
static void sort_key_free (SortKey *key);

G_DEFINE_FINAL_TYPE_WITH_CODE (PorticoCatalog, portico_catalog, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      portico_catalog_list_model_init))

static GType
portico_catalog_get_item_type (GListModel *model)
{
  return PORTICO_TYPE_CONNECTOR;
}

static guint
portico_catalog_get_n_items (GListModel *model)
{
  return PORTICO_CATALOG (model)->items->len;
}

static gpointer
portico_catalog_get_item (GListModel *model,
                          guint       position)
{
  PorticoCatalog *self = PORTICO_CATALOG (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
portico_catalog_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = portico_catalog_get_item_type;
  iface->get_n_items = portico_catalog_get_n_items;
  iface->get_item = portico_catalog_get_item;
}

static void
portico_catalog_finalize (GObject *object)
{
  PorticoCatalog *self = (PorticoCatalog *) object;

  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_clear_pointer (&self->keys, g_ptr_array_unref);
  g_clear_pointer (&self->problems, g_ptr_array_unref);

  G_OBJECT_CLASS (portico_catalog_parent_class)->finalize (object);
}

static void
portico_catalog_class_init (PorticoCatalogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = portico_catalog_finalize;
}

static void
portico_catalog_init (PorticoCatalog *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->keys = g_ptr_array_new_with_free_func ((GDestroyNotify) sort_key_free);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
}

PorticoCatalog *
portico_catalog_new (void)
{
  return g_object_new (PORTICO_TYPE_CATALOG, NULL);
}

/* The catalog's order: category rank, then the casefolded name as the
 * locale collates it, then the id. The collation key is computed once per
 * connector: comparing keys is a strcmp(), where g_utf8_collate() would
 * casefold and normalize both names again on each comparison. */
struct _SortKey
{
  int   rank;
  char *name_key;
  char *id;
};

static void
sort_key_free (SortKey *key)
{
  g_free (key->name_key);
  g_free (key->id);
  g_free (key);
}

static SortKey *
sort_key_new (PorticoConnector *connector)
{
  SortKey *key = g_new0 (SortKey, 1);
  g_autofree char *folded = g_utf8_casefold (portico_connector_get_name (connector), -1);

  key->rank = portico_category_rank (portico_connector_get_category (connector));
  key->name_key = g_utf8_collate_key (folded, -1);
  key->id = g_strdup (portico_connector_get_id (connector));
  return key;
}

static int
compare_keys (const SortKey *a,
              const SortKey *b)
{
  int cmp;

  if (a->rank != b->rank)
    return a->rank < b->rank ? -1 : 1;
  cmp = strcmp (a->name_key, b->name_key);
  if (cmp != 0)
    return cmp;
  return g_strcmp0 (a->id, b->id);
}

static void
remove_connector (PorticoCatalog   *self,
                  PorticoConnector *connector)
{
  guint position;

  if (!g_ptr_array_find (self->items, connector, &position))
    return;

  g_hash_table_remove (self->by_id, portico_connector_get_id (connector));
  g_ptr_array_remove_index (self->items, position);
  g_ptr_array_remove_index (self->keys, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
}

/**
 * portico_catalog_add:
 * @connector: a loaded connector
 *
 * Adds @connector at its sorted place. A custom connector replaces a custom
 * one with the same id (an edited file); a shipped one never replaces
 * anything, and nothing replaces a shipped one: its accounts' credentials
 * must not follow a file that anyone who can write the data folder can drop.
 *
 * Returns: whether @connector is now in the catalog
 */
gboolean
portico_catalog_add (PorticoCatalog   *self,
                     PorticoConnector *connector)
{
  PorticoConnector *existing;
  SortKey *key;
  guint low, high;

  g_return_val_if_fail (PORTICO_IS_CATALOG (self), FALSE);
  g_return_val_if_fail (PORTICO_IS_CONNECTOR (connector), FALSE);

  existing = g_hash_table_lookup (self->by_id, portico_connector_get_id (connector));
  if (existing == connector)
    return TRUE;
  if (existing != NULL)
    {
      if (!portico_connector_is_custom (connector) || !portico_connector_is_custom (existing))
        {
          g_debug ("Keeping %s over %s for the connector “%s”",
                   portico_connector_get_origin (existing),
                   portico_connector_get_origin (connector),
                   portico_connector_get_id (connector));
          return FALSE;
        }
      g_debug ("Custom connector %s replaces %s",
               portico_connector_get_origin (connector),
               portico_connector_get_origin (existing));
      remove_connector (self, existing);
    }

  /* After every item that sorts before or equal to it (a binary search:
   * loading a thousand definitions must not compare each with all). */
  key = sort_key_new (connector);
  low = 0;
  high = self->keys->len;
  while (low < high)
    {
      guint middle = low + (high - low) / 2;

      if (compare_keys (key, g_ptr_array_index (self->keys, middle)) < 0)
        high = middle;
      else
        low = middle + 1;
    }

  g_ptr_array_insert (self->items, low, g_object_ref (connector));
  g_ptr_array_insert (self->keys, low, key);
  g_hash_table_insert (self->by_id, (gpointer) portico_connector_get_id (connector), connector);
  g_list_model_items_changed (G_LIST_MODEL (self), low, 0, 1);
  return TRUE;
}

gboolean
portico_catalog_remove (PorticoCatalog *self,
                        const char     *connector_id)
{
  PorticoConnector *existing;

  g_return_val_if_fail (PORTICO_IS_CATALOG (self), FALSE);
  g_return_val_if_fail (connector_id != NULL, FALSE);

  existing = g_hash_table_lookup (self->by_id, connector_id);
  if (existing == NULL || !portico_connector_is_custom (existing))
    return FALSE;
  remove_connector (self, existing);
  return TRUE;
}

static void
add_problem (PorticoCatalog *self,
             GError         *error)
{
  g_message ("%s", error->message);
  g_ptr_array_add (self->problems, error);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Reading, parsing, translating and checking a definition depends on no
 * other, so a folder's files are loaded on every core; the results are then
 * added (and their problems reported) in name order, as one thread would. */
typedef struct
{
  char             *path;
  PorticoConnector *connector;
  GError           *error;
  gboolean          skipped;   /* not a regular file */
} LoadJob;

typedef struct
{
  LoadJob  *jobs;
  guint     n_jobs;
  gboolean  is_custom;
  int       next;              /* the next job to take (atomic) */
} LoadWork;

static gpointer
load_worker (gpointer user_data)
{
  LoadWork *work = user_data;
  int i;

  while ((i = g_atomic_int_add (&work->next, 1)) < (int) work->n_jobs)
    {
      LoadJob *job = &work->jobs[i];
      g_autoptr(GFile) file = NULL;

      if (!g_file_test (job->path, G_FILE_TEST_IS_REGULAR))
        {
          job->skipped = TRUE;
          continue;
        }
      file = g_file_new_for_path (job->path);
      job->connector = portico_connector_new_from_file (file, work->is_custom, &job->error);
    }

  return NULL;
}

/* Fewer files than this are not worth a thread. */
#define FILES_PER_THREAD 32

static void
load_files (LoadWork *work)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  guint n_threads = MIN (g_get_num_processors (), work->n_jobs / FILES_PER_THREAD);

  for (guint i = 1; i < n_threads; i++)
    {
      GThread *thread = g_thread_try_new ("portico-catalog", load_worker, work, NULL);

      if (thread != NULL)
        g_ptr_array_add (threads, thread);
    }
  load_worker (work);
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
}

/**
 * portico_catalog_load_dir:
 * @dir: a folder of connector definitions
 * @is_custom: whether they are the admin's custom integrations
 *
 * Loads every `*.json` directly in @dir (not in sub-folders, so that
 * `schema/` is skipped), in name order. A missing folder is not a problem.
 *
 * Returns: the number of connectors added
 */
guint
portico_catalog_load_dir (PorticoCatalog *self,
                          const char     *dir,
                          gboolean        is_custom)
{
  g_autoptr(GDir) gdir = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = NULL;
  LoadWork work = { NULL, 0, is_custom, 0 };
  const char *name;
  guint loaded = 0;

  g_return_val_if_fail (PORTICO_IS_CATALOG (self), 0);
  g_return_val_if_fail (dir != NULL, 0);

  gdir = g_dir_open (dir, 0, &error);
  if (gdir == NULL)
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        add_problem (self, g_error_new (PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                                        _("The connector folder %s cannot be read (%s); check its permissions"),
                                        dir, error->message));
      else
        g_debug ("No connector folder %s", dir);
      return 0;
    }

  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (gdir)) != NULL)
    if (g_str_has_suffix (name, ".json") && name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);

  work.n_jobs = names->len;
  work.jobs = g_new0 (LoadJob, names->len);
  for (guint i = 0; i < names->len; i++)
    work.jobs[i].path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
  load_files (&work);

  for (guint i = 0; i < names->len; i++)
    {
      LoadJob *job = &work.jobs[i];
      g_autoptr(PorticoConnector) connector = g_steal_pointer (&job->connector);

      g_free (job->path);
      if (job->skipped)
        continue;
      if (connector == NULL)
        {
          add_problem (self, g_steal_pointer (&job->error));
          continue;
        }
      if (is_custom)
        {
          PorticoConnector *shipped = portico_catalog_lookup (self, portico_connector_get_id (connector));

          if (shipped != NULL && !portico_connector_is_custom (shipped))
            {
              add_problem (self, g_error_new (PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                                              _("%s: id: “%s” is the id of the shipped connector %s, which a custom connector cannot replace; give this file another id, for example “%s-custom”."),
                                              (const char *) g_ptr_array_index (names, i),
                                              portico_connector_get_id (connector),
                                              portico_connector_get_name (shipped),
                                              portico_connector_get_id (connector)));
              continue;
            }
        }
      if (portico_catalog_add (self, connector))
        loaded++;
    }
  g_free (work.jobs);

  return loaded;
}

char *
portico_catalog_get_user_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "portico", "connectors", NULL);
}

/* The shipped definitions: an explicit folder first (tests, the sandbox),
 * then the installed one, then the source tree for an uninstalled build. */
static const char *
shipped_dir (void)
{
  const char *env = g_getenv ("PORTICO_CONNECTORS_DIR");

  if (env != NULL && *env != '\0')
    return env;
  if (g_file_test (CONNECTORS_DIR, G_FILE_TEST_IS_DIR))
    return CONNECTORS_DIR;
  return SOURCE_CONNECTORS_DIR;
}

/**
 * portico_catalog_dup_template:
 * @name: a template's file name in the shipped `templates/` folder
 *
 * A starting point for a custom connector ("scim-2.0.json"): its text, or
 * NULL with @error set.
 */
char *
portico_catalog_dup_template (const char *name,
                              GError    **error)
{
  g_autofree char *path = g_build_filename (shipped_dir (), "templates", name, NULL);
  char *contents = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  return contents;
}

void
portico_catalog_load_default (PorticoCatalog *self)
{
  g_autofree char *user_dir = NULL;

  g_return_if_fail (PORTICO_IS_CATALOG (self));

  portico_catalog_load_dir (self, shipped_dir (), FALSE);

  user_dir = portico_catalog_get_user_dir ();
  portico_catalog_load_dir (self, user_dir, TRUE);
}

PorticoConnector *
portico_catalog_lookup (PorticoCatalog *self,
                        const char     *connector_id)
{
  g_return_val_if_fail (PORTICO_IS_CATALOG (self), NULL);
  g_return_val_if_fail (connector_id != NULL, NULL);

  return g_hash_table_lookup (self->by_id, connector_id);
}

GPtrArray *
portico_catalog_get_problems (PorticoCatalog *self)
{
  g_return_val_if_fail (PORTICO_IS_CATALOG (self), NULL);

  return self->problems;
}
