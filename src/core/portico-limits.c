/* portico-limits.c: the sentences of the runtime's caps.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-limits"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "portico-limits.h"

/* "3 hours", "2 minutes", "45 seconds": a provider's wait, rounded up to
 * the unit a person reads it in. */
static char *
format_wait (guint64 ms)
{
  guint64 seconds = ms / 1000 + (ms % 1000 != 0);

  if (seconds >= 2 * 3600)
    {
      guint64 hours = (seconds + 3599) / 3600;
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u hour", "%u hours", (gulong) MIN (hours, G_MAXUINT)),
                              (guint) MIN (hours, G_MAXUINT));
    }
  if (seconds >= 120)
    {
      guint64 minutes = (seconds + 59) / 60;
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute", "%u minutes", (gulong) minutes),
                              (guint) minutes);
    }
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second", "%u seconds", (gulong) seconds),
                          (guint) seconds);
}

GError *
portico_limit_error_new (PorticoLimit limit,
                         const char  *service_name,
                         const char  *what,
                         guint64      amount)
{
  g_return_val_if_fail (service_name != NULL, NULL);

  if (what == NULL)
    what = _("the account details");

  switch (limit)
    {
    case PORTICO_LIMIT_BODY_SIZE:
      return g_error_new (PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                          _("%s sent an answer for %s larger than %u MB, which Portico does not read; "
                            "check the API base URL if one is set, otherwise report the connector."),
                          service_name, what, PORTICO_LIMIT_BODY_BYTES / (1024 * 1024));

    case PORTICO_LIMIT_NESTING:
      return g_error_new (PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                          _("%s sent an answer for %s nested more than %u levels deep, which Portico does not read; "
                            "check the API base URL if one is set, otherwise report the connector."),
                          service_name, what, (guint) PORTICO_LIMIT_JSON_DEPTH);

    case PORTICO_LIMIT_PAGE_COUNT:
      return g_error_new (PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_BAD_RESPONSE,
                          _("%s sent more than %'u pages of %s, so Portico stopped reading; "
                            "check the API base URL if one is set, otherwise report the connector."),
                          service_name, (guint) PORTICO_LIMIT_PAGES, what);

    case PORTICO_LIMIT_RETRIES:
      return g_error_new (PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_RATE_LIMITED,
                          _("%s is still limiting requests after %u attempts. Wait a few minutes, "
                            "then try again."),
                          service_name, (guint) MIN (amount, G_MAXUINT));

    case PORTICO_LIMIT_RETRY_AFTER:
      {
        g_autofree char *wait = format_wait (amount);

        return g_error_new (PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_RATE_LIMITED,
                            _("%s asks Portico to wait %s before it reads %s again, longer than Portico waits; "
                              "the next sync tries again, or sync by hand after that time."),
                            service_name, wait, what);
      }

    case PORTICO_LIMIT_ATTEMPT_TIME:
      return g_error_new (PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_TIMEOUT,
                          _("%s did not answer within %u seconds. Try again later; if it keeps "
                            "happening, check your network connection."),
                          service_name, (guint) MIN (amount, G_MAXUINT));

    case PORTICO_LIMIT_TOTAL_TIME:
      {
        g_autofree char *span = format_wait (amount * 1000);

        return g_error_new (PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_TIMEOUT,
                            _("Reading %s from %s took longer than %s, so Portico stopped; "
                              "try again later, when the service answers faster."),
                            what, service_name, span);
      }

    default:
      g_assert_not_reached ();
    }
}
