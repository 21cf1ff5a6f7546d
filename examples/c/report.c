/*
 * Group statistics over NDJSON with libbistand: prints the report's title, how many records and
 * persons it counts and what was skipped, whether the counts are perturbed or exact, then the
 * equality table by gender, with the cells that disclosure control suppressed shown as "–".
 *
 *   report [--lang sv|en] [--instrument sue|fia] (--keys KEYS.json | --exact) FILE.ndjson YYYY-MM-DD
 *
 * FILE.ndjson has one document per line (or {"client_id", "document"} per line, so a person with
 * several records counts once); YYYY-MM-DD is the date the report describes (bistand reads no
 * clock). With --keys (the keys file `bistand keys generate` writes) the counts are perturbed, the
 * same for the same persons in every report: what may be published. With --exact they are exact:
 * for the data owner only. With neither, bistand refuses. Asks for the report twice: as JSON for
 * the title and counts, and as CSV (one line per cell) for the table, which a C program reads
 * without a JSON library.
 * Exit status: 0 success, 2 the file could not be read or the report not made.
 *
 * Build (Linux), with bistand installed by ffi/install.sh PREFIX (see ffi/README.md):
 *   export PKG_CONFIG_PATH=PREFIX/lib/pkgconfig
 *   cc -std=c99 -Wall -Wextra -Wpedantic -Werror examples/c/report.c \
 *      $(pkg-config --cflags --libs bistand) -Wl,-rpath,PREFIX/lib -o report
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bistand.h"

/* An en dash in UTF-8, for a suppressed count. */
#define SUPPRESSED "\xE2\x80\x93"

/* The CSV columns the example reads (see bistand_report in bistand.h). */
/* Columns of the long CSV read here, by position. Columns may be added after the last one (as
   `reason` and `weeks` were), so a line has at least FIELDS fields; the rest are ignored. */
enum { TABLE = 0, ROW_LABEL = 4, CATEGORY_LABEL = 6, COUNT = 7, SHARE = 9, FLAG = 12, FIELDS = 13 };

/* Reads a whole file; -1 on failure. The caller frees *data. */
static int read_file(const char *path, uint8_t **data, size_t *len) {
  FILE *file = fopen(path, "rb");
  uint8_t *buffer = NULL;
  size_t size = 0, capacity = 0;
  if (file == NULL) {
    return -1;
  }
  for (;;) {
    size_t got;
    if (size == capacity) {
      uint8_t *bigger;
      capacity = capacity ? capacity * 2 : 65536;
      bigger = realloc(buffer, capacity);
      if (bigger == NULL) {
        free(buffer);
        fclose(file);
        return -1;
      }
      buffer = bigger;
    }
    got = fread(buffer + size, 1, capacity - size, file);
    size += got;
    if (got == 0) {
      break;
    }
  }
  if (ferror(file)) {
    free(buffer);
    fclose(file);
    return -1;
  }
  fclose(file);
  *data = buffer;
  *len = size;
  return 0;
}

/* Prints "what: status (number): message" for the failure that just happened on this thread. */
static void print_failure(const char *what, bistand_status status, bistand_language language) {
  char name[128];
  char message[1024];
  size_t written = 0;
  if (bistand_status_message(status, name, sizeof name, &written) != BISTAND_OK) {
    strcpy(name, "unknown status");
  }
  if (bistand_last_error(language, message, sizeof message, &written) != BISTAND_OK) {
    strcpy(message, "(message longer than the buffer)");
  }
  fprintf(stderr, "%s: %s (%u): %s\n", what, name, (unsigned)status, message);
}

/*
 * The number after the first "key": in the JSON, e.g. "records". Inside a JSON string a quote is
 * always escaped, so a match is a key; "records" first appears in the report's head, before the
 * tables, and the two counts appear once, after the report.
 */
static long json_number(const char *json, const char *key) {
  char pattern[64];
  const char *at;
  sprintf(pattern, "\"%s\":", key);
  at = strstr(json, pattern);
  return at ? strtol(at + strlen(pattern), NULL, 10) : -1;
}

/*
 * Prints the report's title in `lang` ("sv" or "en"): the first "title" of the output is the
 * report's, {"sv": "...", "en": "..."}. Titles hold no escaped characters, so the text runs to
 * the next quote.
 */
static void print_title(const char *json, const char *lang) {
  char pattern[16];
  const char *title = strstr(json, "\"title\":{");
  const char *text;
  const char *end;
  sprintf(pattern, "\"%s\":\"", lang);
  text = title ? strstr(title, pattern) : NULL;
  end = text ? strchr(text + strlen(pattern), '"') : NULL;
  if (end == NULL) {
    printf("(no title)\n");
    return;
  }
  text += strlen(pattern);
  printf("%.*s\n", (int)(end - text), text);
}

/*
 * Splits one CSV line (RFC 4180, as bistand writes it) in place into at most `max` fields:
 * unquotes quoted fields and NUL-terminates each. Returns the number of fields; *next points
 * after the line's CRLF.
 */
static int csv_fields(char *line, char **fields, int max, char **next) {
  int count = 0;
  char *in = line;
  for (;;) {
    char *out = in;
    char *start = in;
    if (*in == '"') {
      in++;
      for (;;) {
        if (*in == '\0') {
          break;
        }
        if (*in == '"' && in[1] == '"') {
          *out++ = '"';
          in += 2;
        } else if (*in == '"') {
          in++;
          break;
        } else {
          *out++ = *in++;
        }
      }
    } else {
      while (*in != ',' && *in != '\r' && *in != '\n' && *in != '\0') {
        *out++ = *in++;
      }
    }
    if (count < max) {
      fields[count] = start;
    }
    count++;
    if (*in == ',') {
      *out = '\0';
      in++;
      continue;
    }
    /* End of the line: CRLF, or the end of the output. */
    if (*in == '\r') {
      in++;
    }
    if (*in == '\n') {
      in++;
    }
    *out = '\0';
    *next = in;
    return count;
  }
}

int main(int argc, char **argv) {
  const char *instrument = "sue";
  const char *lang = "sv";
  bistand_language language = BISTAND_LANGUAGE_SV;
  bistand_engine *engine = NULL;
  bistand_buf *json_report = NULL;
  bistand_buf *csv_report = NULL;
  bistand_status status;
  uint8_t *ndjson = NULL;
  size_t ndjson_len = 0;
  const char *keys_path = NULL;
  uint8_t *keys = NULL;
  size_t keys_len = 0;
  const char *exact = "false";
  char options[320];
  const char *json;
  char *csv;
  char *line;
  int i = 1;
  int shown = 0;

  for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
    if (strcmp(argv[i], "--exact") == 0) {
      exact = "true";
      i--; /* no value */
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "%s needs a value\n", argv[i]);
      return 2;
    }
    if (strcmp(argv[i], "--lang") == 0) {
      lang = strcmp(argv[i + 1], "en") == 0 ? "en" : "sv";
      language = strcmp(lang, "en") == 0 ? BISTAND_LANGUAGE_EN : BISTAND_LANGUAGE_SV;
    } else if (strcmp(argv[i], "--instrument") == 0) {
      instrument = argv[i + 1];
    } else if (strcmp(argv[i], "--keys") == 0) {
      keys_path = argv[i + 1];
    } else {
      fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (argc - i != 2) {
    fprintf(stderr, "usage: %s [--lang sv|en] [--instrument sue|fia] (--keys KEYS.json | --exact) FILE.ndjson YYYY-MM-DD\n",
            argv[0]);
    return 2;
  }
  /* The date goes into the options JSON: keep it to a plain YYYY-MM-DD (bistand checks it). */
  if (strlen(argv[i + 1]) != 10 || strchr(argv[i + 1], '"') != NULL || strchr(argv[i + 1], '\\') != NULL) {
    fprintf(stderr, "the date must be written YYYY-MM-DD\n");
    return 2;
  }
  if (keys_path != NULL && read_file(keys_path, &keys, &keys_len) != 0) {
    fprintf(stderr, "%s: cannot read\n", keys_path);
    return 2;
  }
  if (read_file(argv[i], &ndjson, &ndjson_len) != 0) {
    fprintf(stderr, "%s: cannot read\n", argv[i]);
    free(keys);
    return 2;
  }

  status = bistand_engine_new(NULL, 0, &engine);
  if (status != BISTAND_OK) {
    print_failure("engine", status, language);
    free(ndjson);
    free(keys);
    return 2;
  }

  /* JSON: {"report": {...}, "unreadable_lines": N, "documents_with_errors": M}. No keys (NULL,
     0) and no "exact": true is refused: perturbed counts need the keys' statistics secret. */
  sprintf(options, "{\"as_of\": \"%s\", \"exact\": %s}", argv[i + 1], exact);
  status = bistand_report(engine, instrument, ndjson, ndjson_len, keys, keys_len, (const uint8_t *)options,
                          strlen(options), &json_report);
  if (status == BISTAND_OK) {
    /* CSV of the gender breakdown only, one line per cell (the long format, plain dialect), labels
       in the chosen language. */
    sprintf(options,
            "{\"as_of\": \"%s\", \"exact\": %s, \"breakdowns\": [\"gender\"], \"format\": \"csv-long\", "
            "\"csv_dialect\": \"plain\", \"language\": \"%s\"}",
            argv[i + 1], exact, lang);
    status = bistand_report(engine, instrument, ndjson, ndjson_len, keys, keys_len, (const uint8_t *)options,
                            strlen(options), &csv_report);
  }
  free(ndjson);
  free(keys);
  if (status != BISTAND_OK) {
    /* The output is untouched on failure: NULL here, and bistand_buf_free(NULL) is a no-op. */
    print_failure(argv[i], status, language);
    bistand_buf_free(json_report);
    bistand_engine_free(engine);
    return 2;
  }

  json = (const char *)bistand_buf_data(json_report);
  print_title(json, lang);
  printf("records: %ld, persons: %ld (skipped: %ld unreadable lines, %ld documents with errors)\n",
         json_number(json, "records"), json_number(json, "persons"), json_number(json, "unreadable_lines"),
         json_number(json, "documents_with_errors"));
  /* "exact" first appears in the report's head; "max_deviation" only when perturbed. */
  if (strstr(json, "\"exact\":true") != NULL) {
    printf("counts: exact (for the data owner only, not for publication)\n");
  } else {
    printf("counts: perturbed by at most %ld\n", json_number(json, "max_deviation"));
  }

  /* The buffer is ours until freed: copy it to split the CSV in place. */
  csv = malloc(bistand_buf_len(csv_report) + 1);
  if (csv == NULL) {
    fprintf(stderr, "out of memory\n");
    bistand_buf_free(csv_report);
    bistand_buf_free(json_report);
    bistand_engine_free(engine);
    return 2;
  }
  memcpy(csv, bistand_buf_data(csv_report), bistand_buf_len(csv_report) + 1);
  printf("equality.gender:\n");
  line = csv;
  /* Skip the heading line. */
  if (*line != '\0') {
    char *fields[FIELDS];
    char *next = line;
    csv_fields(line, fields, FIELDS, &next);
    line = next;
  }
  while (*line != '\0') {
    char *fields[FIELDS];
    char *next = line;
    int count = csv_fields(line, fields, FIELDS, &next);
    line = next;
    if (count < FIELDS || strcmp(fields[TABLE], "equality.gender") != 0) {
      continue;
    }
    if (strcmp(fields[FLAG], "1") == 0) {
      printf("  %-10s %-45s %s\n", fields[ROW_LABEL], fields[CATEGORY_LABEL], SUPPRESSED);
    } else {
      printf("  %-10s %-45s %s (%s)\n", fields[ROW_LABEL], fields[CATEGORY_LABEL], fields[COUNT],
             fields[SHARE][0] ? fields[SHARE] : "no share");
    }
    shown++;
  }
  if (shown == 0) {
    printf("  (no such table)\n");
  }

  free(csv);
  bistand_buf_free(csv_report);
  bistand_buf_free(json_report);
  bistand_engine_free(engine);
  return 0;
}
