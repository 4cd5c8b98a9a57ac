/* main.c: the `portico` binary.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "portico-application.h"
#include "portico-connector-i18n.h"

/* Run from the build tree (the README's quick start does), the compiled
 * settings schema is not installed yet: use the one the build made. */
static void
use_build_tree_schemas (void)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = g_build_filename (BUILD_DIR, "data", NULL);
  g_autofree char *compiled = g_build_filename (dir, "gschemas.compiled", NULL);

  if (g_getenv ("GSETTINGS_SCHEMA_DIR") != NULL || exe == NULL)
    return;
  if (g_str_has_prefix (exe, BUILD_DIR G_DIR_SEPARATOR_S) &&
      g_file_test (compiled, G_FILE_TEST_EXISTS))
    g_setenv ("GSETTINGS_SCHEMA_DIR", dir, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PorticoApplication) app = NULL;

  setlocale (LC_ALL, "");
  portico_i18n_init ();
  textdomain (GETTEXT_PACKAGE);

  use_build_tree_schemas ();
  g_set_application_name (_("Portico"));

  app = portico_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
