/* portico-connector-expr.c: the paths, templates and expressions that
 * connector definitions are written in: evaluation on an item and
 * compilation to SQL.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "portico-connector"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

#include "portico-connector-private.h"
#include "portico-jwt.h"
#include "portico-connector-i18n.h"
#include "portico-errors.h"
#include "portico-json.h"
#include "portico-limits.h"

/* ------------------------------------------------------------------------ */
/* Paths                                                                     */
/* ------------------------------------------------------------------------ */

static void
path_seg_clear (gpointer data)
{
  PathSeg *seg = data;

  g_free (seg->key);
  g_free (seg->match_key);
  g_free (seg->match_value);
}

static gboolean
add_match_segment (GArray *segs, const char *match_key, const char *match_value,
                   const char *whole, GError **error)
{
  PathSeg seg = { NULL, -1, NULL, NULL };

  if (*match_key == '\0' || strchr (match_key, '"') != NULL || strchr (match_key, '\'') != NULL ||
      strchr (match_value, '\'') != NULL)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                   _("the path “%s” has a match that cannot be read; write it as key[member=value]"), whole);
      return FALSE;
    }
  seg.match_key = g_strdup (match_key);
  seg.match_value = g_strdup (match_value);
  g_array_append_val (segs, seg);
  return TRUE;
}

/* "attributes[name=department]": the key, then a match. */
static gboolean
add_dotted_part (GArray *segs, const char *part, const char *whole, GError **error);

static gboolean
is_digits (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

static gboolean
add_key_segment (GArray *segs, const char *key, gboolean dotted, const char *whole, GError **error)
{
  PathSeg seg = { NULL, -1, NULL, NULL };

  if (*key == '\0')
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                   _("the path “%s” has an empty key; remove the extra dot"), whole);
      return FALSE;
    }
  if (strchr (key, '"') != NULL)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                   _("the key “%s” holds a double quote, which cannot be read; use another key"), key);
      return FALSE;
    }

  /* In the dotted form a number indexes an array; in the array form only a
   * JSON number does, so that a key like "0" can still be named. */
  if (dotted && is_digits (key))
    {
      guint64 index;

      if (!g_ascii_string_to_unsigned (key, 10, 0, G_MAXINT32, &index, NULL))
        {
          g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                       _("the index “%s” is too large"), key);
          return FALSE;
        }
      seg.index = (gint64) index;
    }
  else
    seg.key = g_strdup (key);

  g_array_append_val (segs, seg);
  return TRUE;
}

static gboolean
add_dotted_part (GArray *segs, const char *part, const char *whole, GError **error)
{
  const char *open = strchr (part, '[');
  g_autofree char *key = NULL;
  g_autofree char *inner = NULL;
  const char *eq;
  gsize len = strlen (part);

  if (open == NULL)
    return add_key_segment (segs, part, TRUE, whole, error);
  if (open == part || part[len - 1] != ']' || strchr (open + 1, '[') != NULL ||
      (eq = strchr (open, '=')) == NULL)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                   _("the path “%s” has a match that cannot be read; write it as key[member=value]"), whole);
      return FALSE;
    }
  key = g_strndup (part, open - part);
  if (!add_key_segment (segs, key, TRUE, whole, error))
    return FALSE;
  inner = g_strndup (open + 1, eq - open - 1);
  {
    g_autofree char *value = g_strndup (eq + 1, part + len - 1 - (eq + 1));

    return add_match_segment (segs, inner, value, whole, error);
  }
}

/* Parses a path (a dotted string or an array of keys and indexes) into
 * segments. "" is the item itself. A dotted part "key[member=value]" and an
 * array element {"where": {"member": "value"}} select the first element of
 * an array whose member has that value. */
GArray *
portico_expr_path_parse (JsonNode *node, GError **error)
{
  g_autoptr(GArray) segs = g_array_new (FALSE, FALSE, sizeof (PathSeg));

  g_array_set_clear_func (segs, path_seg_clear);

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *str = json_node_get_string (node);
      g_auto(GStrv) parts = NULL;

      if (*str == '\0')
        return g_steal_pointer (&segs);

      parts = g_strsplit (str, ".", -1);
      for (guint i = 0; parts[i] != NULL; i++)
        if (!add_dotted_part (segs, parts[i], str, error))
          return NULL;

      return g_steal_pointer (&segs);
    }

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);

      if (n == 0)
        {
          g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                       _("a path given as an array needs at least one key; use \"\" for the item itself"));
          return NULL;
        }

      for (guint i = 0; i < n; i++)
        {
          JsonNode *el = json_array_get_element (array, i);
          GType type = JSON_NODE_HOLDS_VALUE (el) ? json_node_get_value_type (el) : G_TYPE_INVALID;

          if (type == G_TYPE_STRING)
            {
              if (!add_key_segment (segs, json_node_get_string (el), FALSE, json_node_get_string (el), error))
                return NULL;
            }
          else if (type == G_TYPE_INT64 && json_node_get_int (el) >= 0 &&
                   json_node_get_int (el) <= G_MAXINT32)
            {
              PathSeg seg = { NULL, json_node_get_int (el), NULL, NULL };

              g_array_append_val (segs, seg);
            }
          else if (JSON_NODE_HOLDS_OBJECT (el) &&
                   json_object_get_size (json_node_get_object (el)) == 1 &&
                   json_object_has_member (json_node_get_object (el), "where") &&
                   JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (el), "where")) &&
                   json_object_get_size (json_object_get_object_member (json_node_get_object (el), "where")) == 1)
            {
              JsonObject *where = json_object_get_object_member (json_node_get_object (el), "where");
              g_autoptr(GList) names = json_object_get_members (where);
              JsonNode *value = json_object_get_member (where, names->data);

              if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
                {
                  g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                               _("element %u of the path matches a value that is not a string"), i);
                  return NULL;
                }
              if (!add_match_segment (segs, names->data, json_node_get_string (value), names->data, error))
                return NULL;
            }
          else
            {
              g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                           _("element %u of the path is neither a key nor an array index; use a string or a number ≥ 0"), i);
              return NULL;
            }
        }

      return g_steal_pointer (&segs);
    }

  g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
               _("a path must be a string like \"profile.email\" or an array of keys like [\"@odata.nextLink\"]"));
  return NULL;
}

static char *node_to_text (JsonNode *node, gboolean bool_words);

/* Returns the node at @segs (borrowed), which may be a JSON null; NULL when
 * the path does not exist. */
JsonNode *
portico_expr_path_lookup (JsonNode *item, GArray *segs)
{
  JsonNode *node = item;

  for (guint i = 0; node != NULL && i < segs->len; i++)
    {
      PathSeg *seg = &g_array_index (segs, PathSeg, i);

      if (seg->key != NULL)
        {
          if (!JSON_NODE_HOLDS_OBJECT (node))
            return NULL;
          node = json_object_get_member (json_node_get_object (node), seg->key);
        }
      else if (seg->match_key != NULL)
        {
          JsonArray *array;
          JsonNode *found = NULL;

          if (!JSON_NODE_HOLDS_ARRAY (node))
            return NULL;
          array = json_node_get_array (node);
          for (guint k = 0; found == NULL && k < json_array_get_length (array); k++)
            {
              JsonNode *el = json_array_get_element (array, k);
              JsonNode *member;
              g_autofree char *text = NULL;

              if (!JSON_NODE_HOLDS_OBJECT (el))
                continue;
              member = json_object_get_member (json_node_get_object (el), seg->match_key);
              text = node_to_text (member, TRUE);
              if (text != NULL && g_str_equal (text, seg->match_value))
                found = el;
            }
          node = found;
        }
      else
        {
          JsonArray *array;

          if (!JSON_NODE_HOLDS_ARRAY (node))
            return NULL;
          array = json_node_get_array (node);
          if (seg->index >= json_array_get_length (array))
            return NULL;
          node = json_array_get_element (array, (guint) seg->index);
        }
    }

  return node;
}

static gboolean
key_needs_quotes (const char *key)
{
  for (const char *p = key; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return TRUE;
  return FALSE;
}

/* The SQLite JSON path ("$.a[0].\"@b\"") of @segs. */
static char *
path_to_sqlite (GArray *segs)
{
  GString *out = g_string_new ("$");

  for (guint i = 0; i < segs->len; i++)
    {
      PathSeg *seg = &g_array_index (segs, PathSeg, i);

      if (seg->key == NULL)
        g_string_append_printf (out, "[%" G_GINT64_FORMAT "]", seg->index);
      else if (key_needs_quotes (seg->key))
        g_string_append_printf (out, ".\"%s\"", seg->key);
      else
        g_string_append_printf (out, ".%s", seg->key);
    }

  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Templates                                                                 */
/* ------------------------------------------------------------------------ */

static gboolean
is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '_';
}

/* A relative date at @p (which points at '{'): "{now}", "{now-30d}",
 * "{now+2h:date}", "{now-15m:epoch}". Units: d(ays), h(ours), m(inutes);
 * formats: iso (default, "2026-03-01T08:00:00Z"), date ("2026-03-01"),
 * epoch (seconds). Returns the end ('}') or NULL when @p is not one; sets
 * @offset (seconds) and @format. */
static const char *
relative_date_parse (const char  *p,
                     gint64      *offset,
                     const char **format,
                     gsize       *format_len)
{
  const char *q = p + 1;

  *offset = 0;
  *format = "iso";
  *format_len = 3;
  if (!g_str_has_prefix (q, "now"))
    return NULL;
  q += 3;
  if (*q == '-' || *q == '+')
    {
      gboolean minus = *q == '-';
      gint64 n = 0;
      guint digits = 0;

      for (q++; g_ascii_isdigit (*q) && digits < 7; q++, digits++)
        n = n * 10 + (*q - '0');
      if (digits == 0 || g_ascii_isdigit (*q))
        return NULL;
      if (*q == 'd')
        n *= 86400;
      else if (*q == 'h')
        n *= 3600;
      else if (*q == 'm')
        n *= 60;
      else
        return NULL;
      q++;
      *offset = minus ? -n : n;
    }
  if (*q == ':')
    {
      static const char * const formats[] = { "iso", "date", "epoch" };
      gboolean known = FALSE;

      q++;
      for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
        if (g_str_has_prefix (q, formats[i]) && q[strlen (formats[i])] == '}')
          {
            *format = formats[i];
            *format_len = strlen (formats[i]);
            q += strlen (formats[i]);
            known = TRUE;
            break;
          }
      if (!known)
        return NULL;
    }
  return *q == '}' ? q : NULL;
}

static char *
relative_date_format (gint64      now,
                      gint64      offset,
                      const char *format)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (now + offset);

  if (when == NULL)
    return g_strdup ("");
  if (g_str_has_prefix (format, "epoch"))
    return g_strdup_printf ("%" G_GINT64_FORMAT, g_date_time_to_unix (when));
  if (g_str_has_prefix (format, "date"))
    return g_date_time_format (when, "%Y-%m-%d");
  return g_date_time_format (when, "%Y-%m-%dT%H:%M:%SZ");
}

/* Calls @func for each {name} in @str; a '{' that does not start a name is
 * literal text, and so is a relative date ("{now-30d}"). Stops and returns
 * FALSE when @func does. */
gboolean
portico_template_foreach_name (const char   *str,
                               TemplateFunc  func,
                               gpointer      user_data)
{
  for (const char *p = str; *p != '\0'; p++)
    {
      const char *end;
      gint64 offset;
      const char *format;
      gsize format_len;

      if (*p != '{')
        continue;
      if ((end = relative_date_parse (p, &offset, &format, &format_len)) != NULL)
        {
          p = end;
          continue;
        }
      for (end = p + 1; is_name_char (*end); end++)
        ;
      if (*end == '}' && end > p + 1)
        {
          g_autofree char *name = g_strndup (p + 1, end - p - 1);

          if (!func (name, user_data))
            return FALSE;
          p = end;
        }
    }

  return TRUE;
}

char *
portico_template_expand (const char *template_str,
                         GHashTable *values,
                         gboolean    uri_escape,
                         GError    **error)
{
  return portico_template_expand_at (template_str, values, uri_escape,
                                     g_get_real_time () / G_USEC_PER_SEC, error);
}

char *
portico_template_expand_at (const char *template_str,
                            GHashTable *values,
                            gboolean    uri_escape,
                            gint64      now,
                            GError    **error)
{
  g_autoptr(GString) out = NULL;

  g_return_val_if_fail (template_str != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  out = g_string_new (NULL);

  for (const char *p = template_str; *p != '\0'; p++)
    {
      const char *end;
      gint64 offset;
      const char *format;
      gsize format_len;

      if (*p == '{' && (end = relative_date_parse (p, &offset, &format, &format_len)) != NULL)
        {
          g_autofree char *date = relative_date_format (now, offset, format);

          /* The ISO form holds ':', which a query value escapes. */
          if (uri_escape)
            {
              g_autofree char *escaped = g_uri_escape_string (date, NULL, FALSE);

              g_string_append (out, escaped);
            }
          else
            g_string_append (out, date);
          p = end;
          continue;
        }
      if (*p == '{')
        {
          for (end = p + 1; is_name_char (*end); end++)
            ;
          if (*end == '}' && end > p + 1)
            {
              g_autofree char *name = g_strndup (p + 1, end - p - 1);
              const char *value = values != NULL ? g_hash_table_lookup (values, name) : NULL;

              if (value == NULL)
                {
                  g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_FIELD,
                               _("The value “%s” is needed but was not given; fill it in."), name);
                  return NULL;
                }
              if (uri_escape)
                {
                  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

                  g_string_append (out, escaped);
                }
              else
                g_string_append (out, value);
              p = end;
              continue;
            }
        }
      g_string_append_c (out, *p);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ------------------------------------------------------------------------ */
/* Expressions: evaluation                                                   */
/* ------------------------------------------------------------------------ */

/* SQLite renders a REAL as "%!.15g": 15 significant digits and always a
 * decimal point ("100.0", "1.0e+20"). Doing the same keeps the json-glib and
 * SQL evaluations of an expression identical. */
static char *
format_real (double value)
{
  char buf[64];
  char *e;

  g_snprintf (buf, sizeof buf, "%.15g", value);
  if (strchr (buf, '.') != NULL || strchr (buf, 'n') != NULL || strchr (buf, 'N') != NULL)
    return g_strdup (buf);

  e = strchr (buf, 'e');
  if (e != NULL)
    {
      g_autofree char *mantissa = g_strndup (buf, e - buf);

      return g_strdup_printf ("%s.0%s", mantissa, e);
    }

  return g_strdup_printf ("%s.0", buf);
}

/* A double as a SQL literal that SQLite reads back as the same REAL. */
static char *
format_real_literal (double value)
{
  char buf[64];

  g_snprintf (buf, sizeof buf, "%.17g", value);
  if (strpbrk (buf, ".e") == NULL)
    return g_strdup_printf ("%s.0", buf);
  return g_strdup (buf);
}

/* The text of a scalar as SQLite's CAST(json_extract(...) AS TEXT) gives it,
 * except that @bool_words renders booleans as "true"/"false" (value maps). */
static char *
node_to_text (JsonNode *node, gboolean bool_words)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;

  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType type = json_node_get_value_type (node);

      if (type == G_TYPE_STRING)
        return g_strdup (json_node_get_string (node));
      if (type == G_TYPE_INT64)
        return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
      if (type == G_TYPE_DOUBLE)
        return format_real (json_node_get_double (node));
      if (type == G_TYPE_BOOLEAN)
        {
          if (bool_words)
            return g_strdup (json_node_get_boolean (node) ? "true" : "false");
          return g_strdup (json_node_get_boolean (node) ? "1" : "0");
        }
      return NULL;
    }

  return json_to_string (node, FALSE);
}

JsonNode *
portico_expr_string_node (const char *str)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, str);
  return node;
}

/* SQLite's numeric reading of text in arithmetic: the longest leading
 * number, else 0. @is_int: whether that number is an integer SQLite keeps as
 * one (no '.', no exponent, within 64 bits; also no number at all, which
 * SQLite reads as the integer 0), stored in @int_value. */
static double
text_to_real (const char *str,
              gboolean   *is_int,
              gint64     *int_value)
{
  const char *p = str;
  const char *start;
  g_autofree char *number = NULL;

  while (g_ascii_isspace (*p))
    p++;
  start = p;
  if (*p == '+' || *p == '-')
    p++;
  while (g_ascii_isdigit (*p))
    p++;
  *is_int = FALSE;
  if (*p != '.' && *p != 'e' && *p != 'E')
    {
      g_autofree char *digits = g_strndup (start, p - start);

      if (p == start || (p == start + 1 && (*start == '+' || *start == '-')))
        {
          *int_value = 0;
          *is_int = TRUE;
          return 0;
        }
      if (g_ascii_string_to_signed (digits[0] == '+' ? digits + 1 : digits, 10,
                                    G_MININT64, G_MAXINT64, int_value, NULL))
        {
          *is_int = TRUE;
          return (double) *int_value;
        }
    }
  if (*p == '.')
    {
      p++;
      while (g_ascii_isdigit (*p))
        p++;
    }
  if ((*p == 'e' || *p == 'E') && p > start)
    {
      const char *q = p + 1;

      if (*q == '+' || *q == '-')
        q++;
      if (g_ascii_isdigit (*q))
        {
          while (g_ascii_isdigit (*q))
            q++;
          p = q;
        }
    }

  number = g_strndup (start, p - start);
  return g_ascii_strtod (number, NULL);
}

static JsonNode *expr_eval (JsonNode *expr, JsonNode *item, GHashTable *field_values);

static JsonNode *
eval_path (JsonNode *path, JsonNode *item)
{
  g_autoptr(GArray) segs = portico_expr_path_parse (path, NULL);
  JsonNode *found;

  if (segs == NULL)
    return NULL;
  found = portico_expr_path_lookup (item, segs);
  if (found == NULL || JSON_NODE_HOLDS_NULL (found))
    return NULL;
  return json_node_copy (found);
}

static JsonNode *
eval_scale (JsonNode *value, JsonNode *scale)
{
  JsonNode *result = json_node_new (JSON_NODE_VALUE);
  gboolean value_is_int = FALSE;
  gint64 ivalue = 0;
  gint64 product;
  double dvalue = 0;

  switch (json_node_get_value_type (value))
    {
    case G_TYPE_INT64:
      value_is_int = TRUE;
      ivalue = json_node_get_int (value);
      break;
    case G_TYPE_BOOLEAN:
      value_is_int = TRUE;
      ivalue = json_node_get_boolean (value) ? 1 : 0;
      break;
    case G_TYPE_DOUBLE:
      dvalue = json_node_get_double (value);
      break;
    case G_TYPE_STRING:
      /* As SQLite: a leading integer stays an integer, other text is a REAL. */
      dvalue = text_to_real (json_node_get_string (value), &value_is_int, &ivalue);
      break;
    default:
      break;
    }

  /* SQLite turns an integer product that overflows into a REAL. */
  if (value_is_int && json_node_get_value_type (scale) == G_TYPE_INT64 &&
      !__builtin_mul_overflow (ivalue, json_node_get_int (scale), &product))
    json_node_set_int (result, product);
  else
    json_node_set_double (result, (value_is_int ? (double) ivalue : dvalue) *
                                  json_node_get_double (scale));

  return result;
}

static JsonNode *
eval_object (JsonObject *obj, JsonNode *item, GHashTable *field_values)
{
  if (json_object_has_member (obj, "path"))
    {
      g_autoptr(JsonNode) value = eval_path (json_object_get_member (obj, "path"), item);
      JsonNode *def = json_object_get_member (obj, "default");

      if (json_object_has_member (obj, "map"))
        {
          JsonObject *map = json_object_get_object_member (obj, "map");
          g_autofree char *key = node_to_text (value, TRUE);
          JsonNode *mapped = NULL;

          if (key != NULL && map != NULL)
            mapped = json_object_get_member (map, key);
          if (mapped == NULL)
            mapped = def;
          if (mapped == NULL || JSON_NODE_HOLDS_NULL (mapped))
            return NULL;
          return json_node_copy (mapped);
        }

      if (value != NULL && json_object_has_member (obj, "scale") && JSON_NODE_HOLDS_VALUE (value))
        {
          JsonNode *scaled = eval_scale (value, json_object_get_member (obj, "scale"));

          g_clear_pointer (&value, json_node_unref);
          value = scaled;
        }
      else if (value != NULL && json_object_has_member (obj, "scale"))
        {
          /* SQLite multiplies JSON text (an object or array) as 0. */
          JsonNode *scale = json_object_get_member (obj, "scale");
          JsonNode *zero = json_node_new (JSON_NODE_VALUE);

          if (json_node_get_value_type (scale) == G_TYPE_INT64)
            json_node_set_int (zero, 0);
          else
            json_node_set_double (zero, 0.0);
          g_clear_pointer (&value, json_node_unref);
          value = zero;
        }

      if (value == NULL && def != NULL && !JSON_NODE_HOLDS_NULL (def))
        return json_node_copy (def);
      return g_steal_pointer (&value);
    }

  if (json_object_has_member (obj, "join"))
    {
      JsonArray *parts = json_object_get_array_member (obj, "join");
      const char *sep = json_object_get_string_member_with_default (obj, "sep", " ");
      g_autoptr(GString) out = NULL;

      for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
        {
          g_autofree char *text = portico_expr_eval_string (json_array_get_element (parts, i),
                                                            item, field_values);

          if (text == NULL || *text == '\0')
            continue;
          if (out == NULL)
            out = g_string_new (text);
          else
            {
              g_string_append (out, sep);
              g_string_append (out, text);
            }
        }

      if (out == NULL)
        return NULL;
      return portico_expr_string_node (out->str);
    }

  if (json_object_has_member (obj, "first"))
    {
      JsonArray *choices = json_object_get_array_member (obj, "first");

      for (guint i = 0; choices != NULL && i < json_array_get_length (choices); i++)
        {
          JsonNode *value = expr_eval (json_array_get_element (choices, i), item, field_values);

          if (value != NULL)
            return value;
        }
      return NULL;
    }

  if (json_object_has_member (obj, "literal"))
    {
      JsonNode *literal = json_object_get_member (obj, "literal");

      if (JSON_NODE_HOLDS_NULL (literal))
        return NULL;
      return json_node_copy (literal);
    }

  if (json_object_has_member (obj, "all"))
    {
      /* Several values per field: every element's value, as text, joined
       * (as SQLite's group_concat: NULL when there is none). */
      g_autoptr(GArray) segs = portico_expr_path_parse (json_object_get_member (obj, "all"), NULL);
      JsonNode *each_path = json_object_get_member (obj, "each");
      g_autoptr(GArray) each = each_path != NULL ? portico_expr_path_parse (each_path, NULL) : NULL;
      JsonNode *found = segs != NULL ? portico_expr_path_lookup (item, segs) : NULL;
      const char *sep = json_object_get_string_member_with_default (obj, "sep", ", ");
      g_autoptr(GString) joined = NULL;
      JsonArray *array;

      if (found == NULL || !JSON_NODE_HOLDS_ARRAY (found))
        return NULL;
      array = json_node_get_array (found);
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *el = json_array_get_element (array, i);
          JsonNode *value = each != NULL ? portico_expr_path_lookup (el, each) : el;
          g_autofree char *text = NULL;

          if (value == NULL || !JSON_NODE_HOLDS_VALUE (value))
            continue;
          text = node_to_text (value, FALSE);
          if (joined == NULL)
            joined = g_string_new (text);
          else
            {
              g_string_append (joined, sep);
              g_string_append (joined, text);
            }
        }
      return joined != NULL ? portico_expr_string_node (joined->str) : NULL;
    }

  if (json_object_has_member (obj, "count"))
    {
      g_autoptr(GArray) segs = portico_expr_path_parse (json_object_get_member (obj, "count"), NULL);
      JsonNode *found = segs != NULL ? portico_expr_path_lookup (item, segs) : NULL;
      JsonNode *result;

      /* As json_array_length(): NULL when missing, 0 when not an array. */
      if (found == NULL)
        return NULL;
      result = json_node_new (JSON_NODE_VALUE);
      json_node_set_int (result, JSON_NODE_HOLDS_ARRAY (found) ?
                                 json_array_get_length (json_node_get_array (found)) : 0);
      return result;
    }

  if (json_object_has_member (obj, "template"))
    {
      const char *tmpl = json_object_get_string_member_with_default (obj, "template", NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *text = NULL;

      if (tmpl == NULL)
        return NULL;
      text = portico_template_expand (tmpl, field_values, FALSE, &error);
      if (text == NULL)
        {
          g_debug ("Cannot expand template: %s", error->message);
          return NULL;
        }
      return portico_expr_string_node (text);
    }

  return NULL;
}

static JsonNode *
expr_eval (JsonNode   *expr,
           JsonNode   *item,
           GHashTable *field_values)
{
  if (expr == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_OBJECT (expr))
    return eval_object (json_node_get_object (expr), item, field_values);
  return eval_path (expr, item);
}

JsonNode *
portico_expr_eval (JsonNode   *expr,
                   JsonNode   *item,
                   GHashTable *field_values)
{
  g_return_val_if_fail (expr != NULL, NULL);

  return expr_eval (expr, item, field_values);
}

char *
portico_expr_eval_string (JsonNode   *expr,
                          JsonNode   *item,
                          GHashTable *field_values)
{
  g_autoptr(JsonNode) value = NULL;

  g_return_val_if_fail (expr != NULL, NULL);

  value = expr_eval (expr, item, field_values);
  return node_to_text (value, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Expressions: SQL                                                          */
/* ------------------------------------------------------------------------ */

static void
append_sql_string (GString *out, const char *str)
{
  g_string_append_c (out, '\'');
  for (const char *p = str; *p != '\0'; p++)
    {
      if (*p == '\'')
        g_string_append_c (out, '\'');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '\'');
}

static gboolean
append_sql_scalar (GString *out, JsonNode *node, GError **error)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      g_string_append (out, "NULL");
      return TRUE;
    }

  if (JSON_NODE_HOLDS_VALUE (node))
    {
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          append_sql_string (out, json_node_get_string (node));
          return TRUE;
        case G_TYPE_INT64:
          g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          return TRUE;
        case G_TYPE_DOUBLE:
          {
            g_autofree char *text = format_real_literal (json_node_get_double (node));

            g_string_append (out, text);
            return TRUE;
          }
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "1" : "0");
          return TRUE;
        default:
          break;
        }
    }

  g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
               _("a constant must be a string, a number, true, false or null"));
  return FALSE;
}

/* @func over @segs[from..] of @column. A match segment becomes a subquery
 * over the array before it; its source is taken through a one-row SELECT
 * so that the outer "value" column is never confused with json_each's own. */
static void
append_sql_segs (GString *out, const char *func, const char *column, GArray *segs,
                 guint from, guint depth)
{
  g_autoptr(GArray) prefix = g_array_new (FALSE, FALSE, sizeof (PathSeg));
  g_autofree char *sqlite_path = NULL;
  guint i;

  for (i = from; i < segs->len; i++)
    {
      PathSeg *seg = &g_array_index (segs, PathSeg, i);

      if (seg->match_key != NULL)
        break;
      g_array_append_val (prefix, *seg);
    }
  sqlite_path = path_to_sqlite (prefix);

  if (i == segs->len)
    {
      g_string_append_printf (out, "%s(%s, ", func, column);
      append_sql_string (out, sqlite_path);
      g_string_append_c (out, ')');
      return;
    }

  {
    PathSeg *match = &g_array_index (segs, PathSeg, i);
    g_autofree char *element = g_strdup_printf ("m%u.value", depth);
    g_autofree char *key_path = NULL;
    PathSeg key_seg = { match->match_key, -1, NULL, NULL };
    g_autoptr(GArray) key_segs = g_array_new (FALSE, FALSE, sizeof (PathSeg));

    g_array_append_val (key_segs, key_seg);
    key_path = path_to_sqlite (key_segs);
    g_string_append (out, "(SELECT ");
    append_sql_segs (out, func, element, segs, i + 1, depth + 1);
    g_string_append_printf (out, " FROM (SELECT %s AS src) AS o%u JOIN json_each(o%u.src, ", column, depth, depth);
    append_sql_string (out, sqlite_path);
    g_string_append_printf (out, ") AS m%u WHERE json_type(o%u.src, ", depth, depth);
    append_sql_string (out, sqlite_path);
    /* JSON true and false read as "true" and "false", as in json-glib
     * (json_extract gives 1 and 0). */
    g_string_append_printf (out, ") = 'array' AND (CASE WHEN m%u.type = 'object' THEN "
                            "CASE json_type(%s, ", depth, element);
    append_sql_string (out, key_path);
    g_string_append (out, ") WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(json_extract(");
    g_string_append_printf (out, "%s, ", element);
    append_sql_string (out, key_path);
    g_string_append (out, ") AS TEXT) END END) = ");
    append_sql_string (out, match->match_value);
    g_string_append (out, " LIMIT 1)");
  }
}

static gboolean
append_sql_path (GString *out, const char *func, const char *column, JsonNode *path, GError **error)
{
  g_autoptr(GArray) segs = portico_expr_path_parse (path, error);

  if (segs == NULL)
    return FALSE;

  /* Nested subqueries name their tables by depth, so names never collide. */
  append_sql_segs (out, func, column, segs, 0, 1);
  return TRUE;
}

static gboolean expr_sql (GString *out, JsonNode *expr, const char *column, GError **error);

static gboolean
expr_sql_map (GString *out, JsonObject *obj, const char *column, GError **error)
{
  JsonNode *path = json_object_get_member (obj, "path");
  JsonObject *map = json_object_get_object_member (obj, "map");
  JsonNode *def = json_object_get_member (obj, "default");
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;
  gboolean other_keys = FALSE;

  if (map == NULL)
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                   _("“map” must be an object of values"));
      return FALSE;
    }

  /* json_extract() gives 1 and 0 for JSON booleans, so they are told apart
   * from numbers by json_type() and compared as "true" and "false". */
  g_string_append (out, "CASE ");
  if (!append_sql_path (out, "json_type", column, path, error))
    return FALSE;
  g_string_append (out, " WHEN 'true' THEN ");
  if (!append_sql_scalar (out, json_object_has_member (map, "true") ?
                               json_object_get_member (map, "true") : def, error))
    return FALSE;
  g_string_append (out, " WHEN 'false' THEN ");
  if (!append_sql_scalar (out, json_object_has_member (map, "false") ?
                               json_object_get_member (map, "false") : def, error))
    return FALSE;
  g_string_append (out, " ELSE ");

  /* Every key also compares with the text of the value, so that the JSON
   * string "true" matches the key "true" as a JSON true does. */
  json_object_iter_init_ordered (&iter, map);
  while (json_object_iter_next_ordered (&iter, &key, &value))
    {
      if (!other_keys)
        {
          g_string_append (out, "CASE CAST(");
          if (!append_sql_path (out, "json_extract", column, path, error))
            return FALSE;
          g_string_append (out, " AS TEXT)");
          other_keys = TRUE;
        }
      g_string_append (out, " WHEN ");
      append_sql_string (out, key);
      g_string_append (out, " THEN ");
      if (!append_sql_scalar (out, value, error))
        return FALSE;
    }

  if (other_keys)
    g_string_append (out, " ELSE ");
  if (!append_sql_scalar (out, def, error))
    return FALSE;
  if (other_keys)
    g_string_append (out, " END");
  g_string_append (out, " END");
  return TRUE;
}

static gboolean
expr_sql_object (GString *out, JsonObject *obj, const char *column, GError **error)
{
  if (json_object_has_member (obj, "path"))
    {
      JsonNode *def = json_object_get_member (obj, "default");
      gboolean with_default;
      g_autoptr(GString) value = g_string_new (NULL);

      if (json_object_has_member (obj, "map"))
        return expr_sql_map (out, obj, column, error);

      if (!append_sql_path (value, "json_extract", column, json_object_get_member (obj, "path"), error))
        return FALSE;

      if (json_object_has_member (obj, "scale"))
        {
          g_string_prepend (value, "(");
          g_string_append (value, " * ");
          if (!append_sql_scalar (value, json_object_get_member (obj, "scale"), error))
            return FALSE;
          g_string_append (value, ")");
        }

      with_default = def != NULL && !JSON_NODE_HOLDS_NULL (def);
      if (with_default)
        g_string_append (out, "coalesce(");
      g_string_append (out, value->str);
      if (with_default)
        {
          g_string_append (out, ", ");
          if (!append_sql_scalar (out, def, error))
            return FALSE;
          g_string_append (out, ")");
        }
      return TRUE;
    }

  if (json_object_has_member (obj, "join"))
    {
      JsonArray *parts = json_object_get_array_member (obj, "join");
      const char *sep = json_object_get_string_member_with_default (obj, "sep", " ");

      if (parts == NULL || json_array_get_length (parts) == 0)
        {
          g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                       _("“join” needs a list of values"));
          return FALSE;
        }

      /* Each non-empty part is prefixed with the separator, and the first
       * separator is cut off again; nothing at all gives NULL. */
      g_string_append (out, "NULLIF(substr(");
      for (guint i = 0; i < json_array_get_length (parts); i++)
        {
          if (i > 0)
            g_string_append (out, " || ");
          g_string_append (out, "coalesce(");
          append_sql_string (out, sep);
          g_string_append (out, " || NULLIF(CAST(");
          if (!expr_sql (out, json_array_get_element (parts, i), column, error))
            return FALSE;
          g_string_append (out, " AS TEXT), ''), '')");
        }
      g_string_append_printf (out, ", %ld), '')", g_utf8_strlen (sep, -1) + 1);
      return TRUE;
    }

  if (json_object_has_member (obj, "first"))
    {
      JsonArray *choices = json_object_get_array_member (obj, "first");
      guint n = choices != NULL ? json_array_get_length (choices) : 0;

      if (n == 0)
        {
          g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                       _("“first” needs a list of values"));
          return FALSE;
        }
      if (n == 1)
        return expr_sql (out, json_array_get_element (choices, 0), column, error);

      g_string_append (out, "coalesce(");
      for (guint i = 0; i < n; i++)
        {
          if (i > 0)
            g_string_append (out, ", ");
          if (!expr_sql (out, json_array_get_element (choices, i), column, error))
            return FALSE;
        }
      g_string_append (out, ")");
      return TRUE;
    }

  if (json_object_has_member (obj, "literal"))
    return append_sql_scalar (out, json_object_get_member (obj, "literal"), error);

  if (json_object_has_member (obj, "all"))
    {
      g_autoptr(GArray) segs = portico_expr_path_parse (json_object_get_member (obj, "all"), error);
      g_autoptr(GArray) each = NULL;
      g_autofree char *all_path = NULL;
      g_autofree char *each_path = NULL;

      if (segs == NULL)
        return FALSE;
      if (json_object_has_member (obj, "each"))
        {
          each = portico_expr_path_parse (json_object_get_member (obj, "each"), error);
          if (each == NULL)
            return FALSE;
        }
      /* json_each's value is JSON text only for containers, so a scalar
       * element is read as its atom and a member only from an object. */
      all_path = path_to_sqlite (segs);
      if (each != NULL)
        {
          each_path = path_to_sqlite (each);
          g_string_append (out, "(SELECT group_concat(CASE WHEN a1.type = 'object' THEN CAST(json_extract(a1.value, ");
          append_sql_string (out, each_path);
          g_string_append (out, ") AS TEXT) END, ");
        }
      else
        g_string_append (out, "(SELECT group_concat(CAST(a1.atom AS TEXT), ");
      append_sql_string (out, json_object_get_string_member_with_default (obj, "sep", ", "));
      g_string_append_printf (out, ") FROM (SELECT %s AS src) AS s1 JOIN json_each(s1.src, ", column);
      append_sql_string (out, all_path);
      g_string_append (out, ") AS a1 WHERE json_type(s1.src, ");
      append_sql_string (out, all_path);
      if (each != NULL)
        {
          g_string_append (out, ") = 'array' AND (CASE WHEN a1.type = 'object' THEN json_type(a1.value, ");
          append_sql_string (out, each_path);
          g_string_append (out, ") END) NOT IN ('object', 'array', 'null'))");
        }
      else
        g_string_append (out, ") = 'array' AND a1.type NOT IN ('object', 'array', 'null'))");
      return TRUE;
    }

  if (json_object_has_member (obj, "count"))
    return append_sql_path (out, "json_array_length", column,
                            json_object_get_member (obj, "count"), error);

  if (json_object_has_member (obj, "template"))
    {
      g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
                   _("a template reads field values, not items, and cannot be used in a data type map"));
      return FALSE;
    }

  g_set_error (error, PORTICO_CONNECTOR_ERROR, PORTICO_CONNECTOR_ERROR_INVALID_DEFINITION,
               _("unknown expression; use a path or an object with path, join, first, literal or count"));
  return FALSE;
}

static gboolean
expr_sql (GString *out, JsonNode *expr, const char *column, GError **error)
{
  if (JSON_NODE_HOLDS_OBJECT (expr))
    return expr_sql_object (out, json_node_get_object (expr), column, error);
  return append_sql_path (out, "json_extract", column, expr, error);
}

char *
portico_expr_to_sql (JsonNode   *expr,
                     const char *json_column,
                     GError    **error)
{
  g_autoptr(GString) out = NULL;

  g_return_val_if_fail (expr != NULL, NULL);
  g_return_val_if_fail (json_column != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  out = g_string_new (NULL);
  if (!expr_sql (out, expr, json_column, error))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}
