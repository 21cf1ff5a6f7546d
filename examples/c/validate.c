/*
 * Validates FIA documents with libbistand and prints each report.
 *
 *   validate [--profile PROFILE.json] [--instrument NAME] [--lang sv|en] FILE...
 *
 * Prints, for each file, one line "FILE: valid|not valid (E errors, W warnings)" followed by the
 * report as JSON (parse it with your JSON library: the findings are in "findings"), or, for a file
 * that is not a document at all, "FILE: <status>: <message>" on stderr.
 * Exit status: 0 all valid, 1 some document has error findings, 2 some file could not be read or
 * validated.
 *
 * Build (Linux), with bistand installed by ffi/install.sh PREFIX (see ffi/README.md):
 *   export PKG_CONFIG_PATH=PREFIX/lib/pkgconfig
 *   cc -std=c99 -Wall -Wextra -Wpedantic -Werror examples/c/validate.c \
 *      $(pkg-config --cflags --libs bistand) -Wl,-rpath,PREFIX/lib -o validate
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bistand.h"

/* Reads a whole file; NULL on failure. The caller frees *data. */
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
      capacity = capacity ? capacity * 2 : 4096;
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

/* Prints "status: message" for the failure that just happened on this thread. */
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
 * A top-level number of the report, e.g. "errors". The report's top-level fields come before its
 * findings, and inside a JSON string a quote is always escaped, so the first match is the field.
 */
static long report_number(const char *json, const char *key) {
  char pattern[64];
  const char *at;
  sprintf(pattern, "\"%s\":", key);
  at = strstr(json, pattern);
  return at ? strtol(at + strlen(pattern), NULL, 10) : -1;
}

int main(int argc, char **argv) {
  const char *instrument = NULL;
  const char *profile_path = NULL;
  bistand_language language = BISTAND_LANGUAGE_SV;
  bistand_engine *engine = NULL;
  bistand_status status;
  uint8_t *profile = NULL;
  size_t profile_len = 0;
  int exit_code = 0;
  int i = 1;

  for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
    if (i + 1 >= argc) {
      fprintf(stderr, "%s needs a value\n", argv[i]);
      return 2;
    }
    if (strcmp(argv[i], "--profile") == 0) {
      profile_path = argv[i + 1];
    } else if (strcmp(argv[i], "--instrument") == 0) {
      instrument = argv[i + 1];
    } else if (strcmp(argv[i], "--lang") == 0) {
      language = strcmp(argv[i + 1], "en") == 0 ? BISTAND_LANGUAGE_EN : BISTAND_LANGUAGE_SV;
    } else {
      fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (i >= argc) {
    fprintf(stderr, "usage: %s [--profile P] [--instrument NAME] [--lang sv|en] FILE...\n", argv[0]);
    return 2;
  }

  fprintf(stderr, "libbistand %s\n", bistand_version());
  if (profile_path != NULL && read_file(profile_path, &profile, &profile_len) != 0) {
    fprintf(stderr, "%s: cannot read\n", profile_path);
    return 2;
  }
  /* One engine for the whole program (and all its threads). */
  status = bistand_engine_new(profile, profile_len, &engine);
  free(profile);
  if (status != BISTAND_OK) {
    print_failure(profile_path ? profile_path : "engine", status, language);
    return 2;
  }

  for (; i < argc; i++) {
    uint8_t *doc = NULL;
    size_t doc_len = 0;
    bistand_buf *report = NULL;
    const char *json;
    long errors, warnings;

    if (read_file(argv[i], &doc, &doc_len) != 0) {
      fprintf(stderr, "%s: cannot read\n", argv[i]);
      exit_code = 2;
      continue;
    }
    status = bistand_validate(engine, instrument, doc, doc_len, &report);
    free(doc);
    if (status != BISTAND_OK) {
      /* Not a document at all (not JSON, unknown instrument, ...): report is untouched. */
      print_failure(argv[i], status, language);
      exit_code = 2;
      continue;
    }
    /* The report is NUL-terminated JSON, valid until bistand_buf_free. */
    json = (const char *)bistand_buf_data(report);
    errors = report_number(json, "errors");
    warnings = report_number(json, "warnings");
    printf("%s: %s (%ld errors, %ld warnings)\n%s\n", argv[i], errors == 0 ? "valid" : "not valid", errors,
           warnings, json);
    if (errors != 0 && exit_code == 0) {
      exit_code = 1;
    }
    bistand_buf_free(report);
  }

  bistand_engine_free(engine);
  return exit_code;
}
