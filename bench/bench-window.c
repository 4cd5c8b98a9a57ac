/* bench-window.c: the window's figures, measured on the real window under
 * a display (Xvfb): not a test. Modes:
 *
 *   bench-window catalog [--connectors N]
 *       N connector definitions (default 1000), made from the shipped ones
 *       with new ids and names, in a temporary PORTICO_CONNECTORS_DIR; the
 *       time to the window's first frame, then the search typed into the
 *       real search entry one character at a time and erased again.
 *   bench-window start --db FILE
 *       the store opened on FILE, the engine, the window: time to its first
 *       frame and to the frame that shows the accounts.
 *   bench-window views --db FILE
 *       the Users view over FILE (open, search, sort) and the Activity view
 *       (open, search), with the longest gap between two frames in each.
 *   bench-window disconnect --db FILE
 *       account 1 previewed and disconnected through the engine with the
 *       window open, and the longest gap between two frames meanwhile.
 *
 * Frames are the window's GdkFrameClock "after-paint" signals. A keystroke is
 * timed from the search entry's "search-changed" emission (after the entry's
 * own delay, which is not Portico's work) to the end of its last handler
 * (the filter done) and to the end of the next frame drawn.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-bench"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "bench-common.h"
#include "portico-account-tile.h"
#include "portico-activity-view.h"
#include "portico-catalog-section.h"
#include "portico-integrations-page.h"
#include "portico-runtime.h"
#include "portico-store.h"
#include "portico-table-view.h"
#include "portico-users-view.h"
#include "portico-window.h"

#define WAIT_LIMIT_MS 120000

typedef struct
{
  guint   n_paints;
  gint64  last_paint;     /* end of the last frame drawn */
  guint   n_ticks;
  gint64  last_tick;      /* the stall monitor's previous frame */
  double  longest_gap_ms; /* between two frames, while monitoring */
  gint64  last_tick_cpu;  /* the main thread's CPU time at the previous frame */
  double  longest_gap_cpu_ms; /* of which the main thread was on a CPU */
  gboolean monitoring;

  /* the search entry */
  guint   n_changes;
  gint64  change_start;   /* "search-changed" emitted */
  gint64  change_end;     /* its last handler returned */
  guint   paints_at_change_end;
} Bench;

static Bench bench;

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       user_data)
{
  bench.n_paints++;
  bench.last_paint = bench_now ();
}

/* After a figure of the longest gap: how much of it the main thread ran. */
static const char *
gap_cpu_note (void)
{
  static char note[64];

  g_snprintf (note, sizeof note, "; main thread on a CPU %.1f ms of that gap", bench.longest_gap_cpu_ms);
  return note;
}

static gboolean
monitor_tick (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       user_data)
{
  gint64 now = bench_now ();
  struct timespec cpu;
  gint64 cpu_us;

  /* The main thread's own CPU time tells a stall (the main loop busy) from
   * the main thread waiting for a CPU the workers hold. */
  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &cpu);
  cpu_us = cpu.tv_sec * G_USEC_PER_SEC + cpu.tv_nsec / 1000;
  if (bench.monitoring && bench.last_tick > 0 && (now - bench.last_tick) / 1000.0 > bench.longest_gap_ms)
    {
      bench.longest_gap_ms = (now - bench.last_tick) / 1000.0;
      bench.longest_gap_cpu_ms = (cpu_us - bench.last_tick_cpu) / 1000.0;
    }
  bench.last_tick = now;
  bench.last_tick_cpu = cpu_us;
  bench.n_ticks++;

  return G_SOURCE_CONTINUE;
}

static gboolean
on_search_changed_hook (GSignalInvocationHint *hint,
                        guint                  n_values,
                        const GValue          *values,
                        gpointer               user_data)
{
  bench.change_start = bench_now ();

  return TRUE;
}

static void
on_search_changed_after (GtkSearchEntry *entry,
                         gpointer        user_data)
{
  bench.change_end = bench_now ();
  bench.paints_at_change_end = bench.n_paints;
  bench.n_changes++;
}

typedef gboolean (*Condition) (gpointer data);

static gboolean
wake_up (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main loop until @condition holds; aborts after a generous
 * limit (a hang, not a figure). Every condition changes in a main loop
 * callback (a frame, a signal, a GTask's callback), so the loop blocks
 * between them instead of polling; a slow timer only makes sure the limit
 * is checked. */
static void
wait_for (Condition   condition,
          gpointer    data,
          const char *what)
{
  gint64 end = bench_now () + (gint64) WAIT_LIMIT_MS * 1000;
  guint timer = g_timeout_add (250, wake_up, NULL);

  while (!condition (data))
    {
      if (bench_now () > end)
        {
          fprintf (stderr, "bench-window: gave up waiting for %s\n", what);
          exit (1);
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (timer);
}

static gboolean
painted_since (gpointer data)
{
  return bench.n_paints > GPOINTER_TO_UINT (data);
}

static gboolean
ticked_since (gpointer data)
{
  return bench.n_ticks > GPOINTER_TO_UINT (data);
}

static gboolean
changed_and_painted (gpointer data)
{
  return bench.n_changes > GPOINTER_TO_UINT (data) && bench.n_paints > bench.paints_at_change_end;
}

/* Presents @window and waits for its first frame; returns its time. */
static gint64
present_and_wait (GtkWindow *window)
{
  GdkFrameClock *clock;

  gtk_window_present (window);
  clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
  g_assert (clock != NULL);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), NULL);
  wait_for (painted_since, GUINT_TO_POINTER (0), "the first frame");

  return bench.last_paint;
}

/* Times every "search-changed" of @entry from now on (once per entry). */
static void
watch_search_entry (GtkEditable *entry)
{
  static gboolean hooked;

  if (g_object_get_data (G_OBJECT (entry), "bench-watched") != NULL)
    return;
  g_object_set_data (G_OBJECT (entry), "bench-watched", GINT_TO_POINTER (1));
  if (!hooked)
    g_signal_add_emission_hook (g_signal_lookup ("search-changed", GTK_TYPE_SEARCH_ENTRY), 0,
                                on_search_changed_hook, NULL, NULL);
  hooked = TRUE;
  g_signal_connect_after (entry, "search-changed", G_CALLBACK (on_search_changed_after), NULL);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Types @query into @entry one character at a time, then erases it one
 * character at a time; fills @filter_ms and @frame_ms (one per keystroke)
 * and returns the number of keystrokes. */
static guint
type_and_erase (GtkEditable *entry,
                const char  *query,
                GArray      *filter_ms,
                GArray      *frame_ms,
                Condition    settled,
                gpointer     settled_data)
{
  glong n_chars = g_utf8_strlen (query, -1);
  guint n = 0;

  watch_search_entry (entry);

  for (glong step = 1; step <= 2 * n_chars; step++)
    {
      glong len = step <= n_chars ? step : 2 * n_chars - step;
      const char *cut = g_utf8_offset_to_pointer (query, len);
      g_autofree char *text = g_strndup (query, cut - query);
      guint changes = bench.n_changes;
      double filter, frame;

      gtk_editable_set_text (entry, text);
      wait_for (changed_and_painted, GUINT_TO_POINTER (changes), "a search to be drawn");
      if (settled != NULL)
        wait_for (settled, settled_data, "the search to settle");
      filter = (bench.change_end - bench.change_start) / 1000.0;
      frame = (bench.last_paint - bench.change_start) / 1000.0;
      g_array_append_val (filter_ms, filter);
      g_array_append_val (frame_ms, frame);
      n++;
    }

  return n;
}

static void
print_series (const char *label,
              GArray     *values,
              double      target)
{
  g_autoptr(GArray) sorted = g_array_copy (values);
  double median, worst;

  g_array_sort (sorted, compare_doubles);
  median = bench_median ((const double *) (gpointer) sorted->data, sorted->len);
  worst = g_array_index (sorted, double, sorted->len - 1);
  if (target > 0)
    printf ("%-34s median %7.2f ms, worst %7.2f ms, %u keystrokes (target %.0f ms: median %.2f of it)\n",
            label, median, worst, sorted->len, target, median / target);
  else
    printf ("%-34s median %7.2f ms, worst %7.2f ms, %u keystrokes\n", label, median, worst, sorted->len);
}

/* ---- catalog ---------------------------------------------------------- */

static const char * const words[] = {
  "Nimbus", "Harbor", "Quartz", "Lumen", "Atlas", "Cedar", "Orbit", "Pioneer",
  "Summit", "Vertex", "Willow", "Zephyr", "Beacon", "Cobalt", "Delta", "Ember",
};

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Writes @n definitions into @dir, round robin over the shipped ones, each
 * with its own id and name; returns the name of the one at @n * 2 / 3. */
static char *
generate_connectors (const char *dir,
                     guint       n)
{
  g_autoptr(GDir) shipped = NULL;
  g_autoptr(GPtrArray) templates = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  char *picked = NULL;
  const char *name;

  shipped = g_dir_open (SOURCE_CONNECTORS_DIR, 0, &error);
  if (shipped == NULL)
    g_error ("%s", error->message);
  while ((name = g_dir_read_name (shipped)) != NULL)
    if (g_str_has_suffix (name, ".json"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (SOURCE_CONNECTORS_DIR, (const char *) names->pdata[i], NULL);
      char *text = NULL;

      if (!g_file_get_contents (path, &text, NULL, &error))
        g_error ("%s", error->message);
      g_ptr_array_add (templates, text);
    }
  if (templates->len == 0)
    g_error ("No connector definitions in %s", SOURCE_CONNECTORS_DIR);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonNode *node;
      JsonObject *object;
      g_autofree char *id = NULL;
      g_autofree char *title = NULL;
      g_autofree char *file = NULL;

      if (!json_parser_load_from_data (parser, templates->pdata[i % templates->len], -1, &error))
        g_error ("%s", error->message);
      node = json_parser_get_root (parser);
      object = json_node_get_object (node);
      id = g_strdup_printf ("%s-%u", json_object_get_string_member (object, "id"), i);
      title = g_strdup_printf ("%s %s %u", json_object_get_string_member (object, "name"),
                                                words[(i / templates->len) % G_N_ELEMENTS (words)], i);
      file = g_strdup_printf ("%s/%s.json", dir, id);

      json_object_set_string_member (object, "id", id);
      json_object_set_string_member (object, "name", title);
      json_generator_set_root (generator, node);
      if (!json_generator_to_file (generator, file, &error))
        g_error ("%s: %s", file, error->message);
      if (i == n * 2 / 3)
        picked = g_steal_pointer (&title);
    }

  return picked;
}

static guint
count_tiles (PorticoIntegrationsPage *page)
{
  g_autoptr(GPtrArray) sections = portico_integrations_page_list_sections (page);
  guint n = 0;

  for (guint i = 0; i < sections->len; i++)
    if (gtk_widget_get_visible (sections->pdata[i]))
      n += portico_catalog_section_get_n_tiles (sections->pdata[i]);

  return n;
}

static char *catalog_dir;

/* The generated definitions go, also when a wait gives up (exit). */
static void
remove_catalog_dir (void)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  if (catalog_dir == NULL)
    return;
  d = g_dir_open (catalog_dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (catalog_dir, name, NULL);

      g_remove (path);
    }
  bench_remove_dir (catalog_dir);
  g_clear_pointer (&catalog_dir, g_free);
}

static int
run_catalog (guint n)
{
  const char *dir = catalog_dir = bench_make_tmpdir ();
  g_autofree char *query = NULL;
  g_autoptr(PorticoCatalog) catalog = NULL;
  g_autoptr(GArray) filter_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) frame_ms = g_array_new (FALSE, FALSE, sizeof (double));
  PorticoWindow *window;
  PorticoIntegrationsPage *page;
  gint64 start, loaded, built, first_frame;
  guint n_loaded, n_all, n_found;
  double first_ms;

  atexit (remove_catalog_dir);
  query = generate_connectors (dir, n);
  g_setenv ("PORTICO_CONNECTORS_DIR", dir, TRUE);

  start = bench_now ();
  catalog = portico_catalog_new ();
  n_loaded = portico_catalog_load_dir (catalog, dir, FALSE);
  loaded = bench_now ();
  window = portico_window_new (NULL, catalog);
  built = bench_now ();
  first_frame = present_and_wait (GTK_WINDOW (window));
  first_ms = (first_frame - start) / 1000.0;

  printf ("bench-window catalog: %u connector definitions generated, %u loaded, GTK %u.%u.%u, renderer %s\n",
          n, n_loaded, gtk_get_major_version (), gtk_get_minor_version (), gtk_get_micro_version (),
          g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "default");
  printf ("%-34s %7.1f ms (target 400 ms: %.2f of it); catalog loaded %.1f ms, window built %.1f ms, "
          "presented to drawn %.1f ms\n",
          "catalog first frame:", first_ms, first_ms / 400.0,
          (loaded - start) / 1000.0, (built - loaded) / 1000.0, (first_frame - built) / 1000.0);
  fflush (stdout);

  page = portico_window_get_integrations_page (window);
  n_all = count_tiles (page);
  type_and_erase (portico_integrations_page_get_search_entry (page), query, filter_ms, frame_ms, NULL, NULL);
  print_series ("catalog search, change to filtered:", filter_ms, 16);
  print_series ("catalog search, change to drawn:", frame_ms, 0);

  /* The search must have worked: the full name finds it, the empty one all. */
  gtk_editable_set_text (portico_integrations_page_get_search_entry (page), query);
  {
    guint changes = bench.n_changes;

    wait_for (changed_and_painted, GUINT_TO_POINTER (changes), "the last search");
  }
  n_found = count_tiles (page);
  printf ("query “%s”: %u of %u tiles shown\n", query, n_found, n_all);

  gtk_window_destroy (GTK_WINDOW (window));

  /* The same again in the same process: without the first window's one-off
   * costs (fonts, theme, type registration), for comparison. */
  {
    gint64 again = bench_now ();
    PorticoWindow *second = portico_window_new (NULL, catalog);

    bench.n_paints = 0;
    printf ("%-34s %7.1f ms (a second window, same catalog)\n", "catalog first frame, warm:",
            (present_and_wait (GTK_WINDOW (second)) - again) / 1000.0);
    gtk_window_destroy (GTK_WINDOW (second));
  }

  remove_catalog_dir ();

  if (n_loaded != n || n_found == 0 || n_found >= n_all)
    {
      fprintf (stderr, "bench-window: the catalog did not load or filter as expected\n");
      return 1;
    }
  return 0;
}

/* ---- start -------------------------------------------------------------- */

static guint
count_account_tiles (GtkWidget *widget)
{
  guint n = PORTICO_IS_ACCOUNT_TILE (widget) && gtk_widget_get_mapped (widget) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    n += count_account_tiles (child);

  return n;
}

/* The page has loaded the accounts and shows a tile for one, or the
 * sentence of "Your integrations" when there are none. */
static gboolean
accounts_shown (gpointer data)
{
  g_autoptr(GPtrArray) sections = NULL;

  if (portico_integrations_page_is_loading (data))
    return FALSE;
  if (count_account_tiles (data) > 0)
    return TRUE;
  sections = portico_integrations_page_list_sections (data);
  return sections->len > 0 && gtk_widget_get_mapped (sections->pdata[0]);
}

typedef struct
{
  PorticoStore   *store;
  PorticoCatalog *catalog;
  PorticoEngine  *engine;
  PorticoWindow  *window;
} Opened;

/* What the application does at start, in its order: the catalog, the
 * store, the engine, the window. */
static void
open_window (const char *db,
             Opened     *opened,
             gint64     *out_store_ms)
{
  g_autoptr(PorticoRuntime) runtime = portico_runtime_new ();
  g_autoptr(GError) error = NULL;
  gint64 before;

  opened->catalog = portico_catalog_new ();
  portico_catalog_load_default (opened->catalog);
  before = bench_now ();
  opened->store = portico_store_open (db, &error);
  if (opened->store == NULL)
    {
      fprintf (stderr, "bench-window: cannot open %s: %s\n", db, error->message);
      exit (1);
    }
  *out_store_ms = bench_now () - before;
  opened->engine = portico_engine_new (opened->store, opened->catalog, runtime);
  opened->window = portico_window_new (NULL, opened->catalog);
  portico_window_set_engine (opened->window, opened->engine);
}

static void
close_window (Opened *opened)
{
  gtk_window_destroy (GTK_WINDOW (opened->window));
  g_clear_object (&opened->engine);
  g_clear_object (&opened->store);
  g_clear_object (&opened->catalog);
}

static int
run_start (const char *db)
{
  Opened opened = { 0 };
  gint64 start = bench_now (), store_us, first_frame;
  guint paints;

  open_window (db, &opened, &store_us);
  first_frame = present_and_wait (GTK_WINDOW (opened.window));
  printf ("window first frame:                 %7.1f ms (store opened in %.1f ms)\n",
          (first_frame - start) / 1000.0, store_us / 1000.0);
  fflush (stdout);

  wait_for (accounts_shown, portico_window_get_integrations_page (opened.window), "the accounts");
  paints = bench.n_paints;
  wait_for (painted_since, GUINT_TO_POINTER (paints), "the accounts to be drawn");
  printf ("window accounts drawn:              %7.1f ms\n", (bench.last_paint - start) / 1000.0);

  close_window (&opened);
  return 0;
}

/* ---- views -------------------------------------------------------------- */

static gboolean
table_loaded (gpointer data)
{
  return !portico_table_view_is_loading (data) && portico_table_view_get_n_rows (data) > 0;
}

static gboolean
table_settled (gpointer data)
{
  return !portico_table_view_is_loading (data);
}

static gboolean
activity_loaded (gpointer data)
{
  return !portico_activity_view_is_loading (data) &&
         g_list_model_get_n_items (portico_activity_view_get_model (data)) > 0;
}

static gboolean
activity_settled (gpointer data)
{
  return !portico_activity_view_is_loading (data);
}

static GtkEditable *
find_search_entry (GtkWidget *widget)
{
  if (GTK_IS_SEARCH_ENTRY (widget))
    return GTK_EDITABLE (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkEditable *found = find_search_entry (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The Activity view: open, then the search. */
static guint
run_activity (Opened     *opened,
              const char *query)
{
  PorticoActivityView *activity = PORTICO_ACTIVITY_VIEW (portico_window_get_view (opened->window, "activity"));
  g_autoptr(GArray) filter_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) frame_ms = g_array_new (FALSE, FALSE, sizeof (double));
  GtkEditable *entry;
  gint64 start;
  guint n_events, paints;

  bench.longest_gap_ms = 0;
  start = bench_now ();
  portico_window_show_view (opened->window, "activity");
  wait_for (activity_loaded, activity, "the events to load");
  paints = bench.n_paints;
  wait_for (painted_since, GUINT_TO_POINTER (paints), "the events to be drawn");
  n_events = g_list_model_get_n_items (portico_activity_view_get_model (activity));
  printf ("activity view open, %u events:     %7.1f ms to drawn; longest gap between frames %.1f ms "
          "(target 33.3 ms: %.2f of it)%s\n",
          n_events, (bench.last_paint - start) / 1000.0, bench.longest_gap_ms, bench.longest_gap_ms / 33.3, gap_cpu_note ());
  fflush (stdout);

  bench.longest_gap_ms = 0;
  start = bench_now ();
  portico_activity_view_reload (activity);
  wait_for (activity_loaded, activity, "the events to reload");
  paints = bench.n_paints;
  wait_for (painted_since, GUINT_TO_POINTER (paints), "the reloaded events to be drawn");
  printf ("activity view reload, %u events:   %7.1f ms to drawn; longest gap between frames %.1f ms "
          "(target 33.3 ms: %.2f of it)%s\n",
          g_list_model_get_n_items (portico_activity_view_get_model (activity)), (bench.last_paint - start) / 1000.0,
          bench.longest_gap_ms, bench.longest_gap_ms / 33.3, gap_cpu_note ());
  fflush (stdout);

  entry = find_search_entry (GTK_WIDGET (activity));
  g_assert (entry != NULL);
  bench.longest_gap_ms = 0;
  type_and_erase (entry, query, filter_ms, frame_ms, activity_settled, activity);
  print_series ("activity search, change to filtered:", filter_ms, 0);
  print_series ("activity search, change to drawn:", frame_ms, 0);
  printf ("activity search: longest gap between frames %.1f ms (target 33.3 ms: %.2f of it)%s\n",
          bench.longest_gap_ms, bench.longest_gap_ms / 33.3, gap_cpu_note ());
  fflush (stdout);

  return n_events;
}

static int
run_views (const char *db,
           const char *query)
{
  Opened opened = { 0 };
  gint64 store_us, start;
  PorticoTableView *table;
  GtkColumnView *columns;
  g_autoptr(GListModel) column_list = NULL;
  g_autoptr(GArray) filter_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) frame_ms = g_array_new (FALSE, FALSE, sizeof (double));
  guint n_rows, n_events, paints;

  open_window (db, &opened, &store_us);
  present_and_wait (GTK_WINDOW (opened.window));
  wait_for (accounts_shown, portico_window_get_integrations_page (opened.window), "the accounts");
  gtk_widget_add_tick_callback (GTK_WIDGET (opened.window), monitor_tick, NULL, NULL);
  wait_for (ticked_since, GUINT_TO_POINTER (1), "the frame clock to tick");

  /* open */
  table = portico_users_view_get_table (PORTICO_USERS_VIEW (portico_window_get_view (opened.window, "users")));
  bench.monitoring = TRUE;
  bench.longest_gap_ms = 0;
  start = bench_now ();
  portico_window_show_view (opened.window, "users");
  wait_for (table_loaded, table, "the users to load");
  paints = bench.n_paints;
  wait_for (painted_since, GUINT_TO_POINTER (paints), "the users to be drawn");
  n_rows = portico_table_view_get_n_rows (table);
  printf ("users view open, %u rows:          %7.1f ms to drawn; longest gap between frames %.1f ms "
          "(target 33.3 ms, no stall over one frame: %.2f of it)%s\n",
          n_rows, (bench.last_paint - start) / 1000.0, bench.longest_gap_ms, bench.longest_gap_ms / 33.3, gap_cpu_note ());
  fflush (stdout);

  /* reload, as after a sync: the rows read again in a thread and replaced */
  bench.longest_gap_ms = 0;
  start = bench_now ();
  portico_table_view_reload (table);
  wait_for (table_loaded, table, "the users to reload");
  paints = bench.n_paints;
  wait_for (painted_since, GUINT_TO_POINTER (paints), "the reloaded users to be drawn");
  printf ("users view reload, %u rows:        %7.1f ms to drawn; longest gap between frames %.1f ms "
          "(target 33.3 ms: %.2f of it)%s\n",
          portico_table_view_get_n_rows (table), (bench.last_paint - start) / 1000.0, bench.longest_gap_ms,
          bench.longest_gap_ms / 33.3, gap_cpu_note ());
  fflush (stdout);

  /* search */
  bench.longest_gap_ms = 0;
  type_and_erase (portico_table_view_get_search_entry (table), query, filter_ms, frame_ms, table_settled, table);
  print_series ("users search, change to filtered:", filter_ms, 0);
  print_series ("users search, change to drawn:", frame_ms, 0);
  printf ("users search: longest gap between frames %.1f ms (target 33.3 ms: %.2f of it)%s\n",
          bench.longest_gap_ms, bench.longest_gap_ms / 33.3, gap_cpu_note ());
  fflush (stdout);

  /* sort, by each column in turn, both ways */
  columns = portico_table_view_get_column_view (table);
  column_list = g_object_ref (gtk_column_view_get_columns (columns));
  bench.longest_gap_ms = 0;
  start = bench_now ();
  for (guint i = 0; i < g_list_model_get_n_items (column_list); i++)
    for (int way = 0; way < 2; way++)
      {
        g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (column_list, i);

        gtk_column_view_sort_by_column (columns, column, way == 0 ? GTK_SORT_ASCENDING : GTK_SORT_DESCENDING);
        /* The table sorts in a thread: until its rows are in order. */
        wait_for (table_settled, table, "a sort");
        paints = bench.n_paints;
        wait_for (painted_since, GUINT_TO_POINTER (paints), "a sort to be drawn");
      }
  printf ("users sort, %u columns both ways:   %7.1f ms in all; longest gap between frames %.1f ms "
          "(target 33.3 ms: %.2f of it)%s\n",
          g_list_model_get_n_items (column_list), (bench_now () - start) / 1000.0,
          bench.longest_gap_ms, bench.longest_gap_ms / 33.3, gap_cpu_note ());

  n_events = run_activity (&opened, "failed");
  bench.monitoring = FALSE;

  close_window (&opened);
  return n_rows > 0 && n_events > 0 ? 0 : 1;
}

/* ---- disconnect ----------------------------------------------------------- */

typedef struct
{
  gint64  done;
  GError *error;
  guint   n_finished;
} Pending;

static void
preview_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr(PorticoDisconnectSummary) summary = NULL;

  summary = portico_engine_preview_disconnect_finish (PORTICO_ENGINE (source), result, &pending->error);
  pending->done = bench_now ();
  pending->n_finished++;
}

static void
disconnect_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Pending *pending = user_data;
  g_autoptr(PorticoDisconnectSummary) summary = NULL;

  summary = portico_engine_disconnect_finish (PORTICO_ENGINE (source), result, &pending->error);
  pending->done = bench_now ();
  pending->n_finished++;
}

static gboolean
finished (gpointer data)
{
  Pending *pending = data;

  return pending->n_finished > 0;
}

/* Account 1 disconnected through the engine while the window is open on
 * the Integrations page: the preview, the cascade, the page drawn again
 * without the account; the longest gap between frames throughout. */
static int
run_disconnect (const char *db)
{
  Opened opened = { 0 };
  Pending preview = { 0 }, disconnect = { 0 };
  PorticoIntegrationsPage *page;
  gint64 store_us, start;
  guint tiles, paints, timer;

  open_window (db, &opened, &store_us);
  present_and_wait (GTK_WINDOW (opened.window));
  page = portico_window_get_integrations_page (opened.window);
  wait_for (accounts_shown, page, "the accounts");
  tiles = count_account_tiles (GTK_WIDGET (page));
  gtk_widget_add_tick_callback (GTK_WIDGET (opened.window), monitor_tick, NULL, NULL);
  wait_for (ticked_since, GUINT_TO_POINTER (1), "the frame clock to tick");

  bench.monitoring = TRUE;
  bench.longest_gap_ms = 0;
  start = bench_now ();
  portico_engine_preview_disconnect_async (opened.engine, 1, NULL, preview_cb, &preview);
  wait_for (finished, &preview, "the preview");
  portico_engine_disconnect_async (opened.engine, 1, NULL, disconnect_cb, &disconnect);
  wait_for (finished, &disconnect, "the disconnect");
  if (preview.error != NULL || disconnect.error != NULL)
    {
      fprintf (stderr, "bench-window: %s\n", (preview.error ? preview.error : disconnect.error)->message);
      return 1;
    }
  timer = g_timeout_add (250, wake_up, NULL);
  while (portico_integrations_page_is_loading (page) || count_account_tiles (GTK_WIDGET (page)) >= tiles)
    {
      if (bench_now () - disconnect.done > (gint64) WAIT_LIMIT_MS * 1000)
        {
          fprintf (stderr, "bench-window: the disconnected account's tile stayed\n");
          return 1;
        }
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (timer);
  paints = bench.n_paints;
  wait_for (painted_since, GUINT_TO_POINTER (paints), "the page to be drawn");
  bench.monitoring = FALSE;
  printf ("window disconnect: preview %.1f ms, cascade %.1f ms, drawn without it %.1f ms; "
          "longest gap between frames %.1f ms (target 33.3 ms: %.2f of it)%s\n",
          (preview.done - start) / 1000.0, (disconnect.done - preview.done) / 1000.0,
          (bench.last_paint - start) / 1000.0, bench.longest_gap_ms, bench.longest_gap_ms / 33.3, gap_cpu_note ());

  close_window (&opened);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  int n_connectors = 1000;
  g_autofree char *db = NULL;
  g_autofree char *query = NULL;
  const GOptionEntry entries[] = {
    { "connectors", 'n', 0, G_OPTION_ARG_INT, &n_connectors, "catalog: connector definitions (default 1000)", "N" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db, "start, views: the database", "FILE" },
    { "query", 0, 0, G_OPTION_ARG_STRING, &query, "views: the search typed (default “lovelace”)", "TEXT" },
    { NULL },
  };

  context = g_option_context_new ("catalog|start|views|disconnect - the window's figures (under a display)");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  if (argc != 2 || n_connectors <= 0 ||
      (!g_str_equal (argv[1], "catalog") && db == NULL))
    {
      fprintf (stderr, "Usage: bench-window catalog [--connectors N] | start --db FILE | views --db FILE | disconnect --db FILE\n");
      return 2;
    }
  if (!gtk_init_check ())
    {
      fprintf (stderr, "bench-window: no display; run it under xvfb-run -a\n");
      return 1;
    }
  adw_init ();

  if (g_str_equal (argv[1], "catalog"))
    return run_catalog ((guint) n_connectors);
  if (g_str_equal (argv[1], "start"))
    return run_start (db);
  if (g_str_equal (argv[1], "views"))
    return run_views (db, query != NULL ? query : "lovelace");
  if (g_str_equal (argv[1], "disconnect"))
    return run_disconnect (db);

  fprintf (stderr, "bench-window: unknown mode %s\n", argv[1]);
  return 2;
}
