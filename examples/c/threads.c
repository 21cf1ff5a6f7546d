/*
 * Many threads validating with one shared engine (POSIX threads).
 *
 *   threads THREADS ROUNDS FILE...
 *
 * Validates every FILE once on the main thread, then starts THREADS threads that each validate
 * every FILE ROUNDS times with the same engine and check that each report is byte for byte the
 * one the main thread got. Each thread also provokes a failure and checks that its own
 * bistand_last_error has the message, and that a success clears it: the last error is per
 * thread. Exit status 0 when every check passed.
 *
 * Build (Linux), with bistand installed by ffi/install.sh PREFIX (see ffi/README.md):
 *   cc -std=c99 -Wall -Wextra -Wpedantic -Werror -pthread examples/c/threads.c \
 *      $(pkg-config --cflags --libs bistand) -Wl,-rpath,PREFIX/lib -o threads
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bistand.h"

#define MAX_THREADS 64

struct document {
  const char *path;
  uint8_t *data;
  size_t len;
  char *expected; /* the report from the main thread, NUL-terminated */
};

struct shared {
  const bistand_engine *engine; /* const: the engine is never changed, only read */
  struct document *documents;
  int document_count;
  int rounds;
};

struct worker {
  pthread_t thread;
  int id;
  const struct shared *shared;
  int failures;
};

static int read_file(const char *path, uint8_t **data, size_t *len) {
  FILE *file = fopen(path, "rb");
  long size;
  if (file == NULL) {
    return -1;
  }
  if (fseek(file, 0, SEEK_END) != 0 || (size = ftell(file)) < 0 || fseek(file, 0, SEEK_SET) != 0) {
    fclose(file);
    return -1;
  }
  *data = malloc((size_t)size + 1);
  if (*data == NULL || fread(*data, 1, (size_t)size, file) != (size_t)size) {
    free(*data);
    fclose(file);
    return -1;
  }
  fclose(file);
  *len = (size_t)size;
  return 0;
}

/* This thread's last error message (English), or "" if none. */
static void last_error(char *out, size_t out_len) {
  size_t written = 0;
  if (bistand_last_error(BISTAND_LANGUAGE_EN, out, out_len, &written) != BISTAND_OK) {
    out[0] = '\0';
  }
}

static void *work(void *arg) {
  struct worker *worker = arg;
  const struct shared *shared = worker->shared;
  static const char not_json[] = "{\"instrument\": ";
  char message[512];
  int round, i;

  for (round = 0; round < shared->rounds; round++) {
    bistand_buf *report = (bistand_buf *)&message; /* a sentinel: must stay untouched */
    bistand_status status;

    /* A failure on this thread: its own message, whatever the other threads do. */
    status = bistand_validate(shared->engine, "fia", (const uint8_t *)not_json, strlen(not_json), &report);
    last_error(message, sizeof message);
    if (status != BISTAND_MALFORMED_JSON || report != (bistand_buf *)&message ||
        strstr(message, "malformed JSON") == NULL) {
      fprintf(stderr, "thread %d: expected a malformed-JSON failure, got %u: %s\n", worker->id, (unsigned)status,
              message);
      worker->failures++;
    }

    for (i = 0; i < shared->document_count; i++) {
      const struct document *doc = &shared->documents[(i + worker->id) % shared->document_count];
      report = NULL;
      status = bistand_validate(shared->engine, NULL, doc->data, doc->len, &report);
      if (status != BISTAND_OK) {
        last_error(message, sizeof message);
        fprintf(stderr, "thread %d: %s: status %u: %s\n", worker->id, doc->path, (unsigned)status, message);
        worker->failures++;
        continue;
      }
      if (bistand_buf_len(report) != strlen(doc->expected) ||
          memcmp(bistand_buf_data(report), doc->expected, bistand_buf_len(report)) != 0) {
        fprintf(stderr, "thread %d: %s: report differs from the main thread's\n", worker->id, doc->path);
        worker->failures++;
      }
      bistand_buf_free(report);
      /* A success clears this thread's last error. */
      last_error(message, sizeof message);
      if (message[0] != '\0') {
        fprintf(stderr, "thread %d: last error not cleared: %s\n", worker->id, message);
        worker->failures++;
      }
    }
  }
  return NULL;
}

int main(int argc, char **argv) {
  struct worker workers[MAX_THREADS];
  struct document *documents;
  struct shared shared;
  bistand_engine *engine = NULL;
  int threads, rounds, count, i, failures = 0;

  if (argc < 4) {
    fprintf(stderr, "usage: %s THREADS ROUNDS FILE...\n", argv[0]);
    return 2;
  }
  threads = atoi(argv[1]);
  rounds = atoi(argv[2]);
  if (threads < 1 || threads > MAX_THREADS || rounds < 1) {
    fprintf(stderr, "THREADS must be 1 to %d and ROUNDS at least 1\n", MAX_THREADS);
    return 2;
  }
  count = argc - 3;

  if (bistand_engine_new(NULL, 0, &engine) != BISTAND_OK) {
    fprintf(stderr, "cannot create the engine\n");
    return 2;
  }
  documents = calloc((size_t)count, sizeof *documents);
  if (documents == NULL) {
    bistand_engine_free(engine);
    return 2;
  }
  for (i = 0; i < count; i++) {
    bistand_buf *report = NULL;
    documents[i].path = argv[3 + i];
    if (read_file(documents[i].path, &documents[i].data, &documents[i].len) != 0) {
      fprintf(stderr, "%s: cannot read\n", documents[i].path);
      return 2;
    }
    if (bistand_validate(engine, NULL, documents[i].data, documents[i].len, &report) != BISTAND_OK) {
      fprintf(stderr, "%s: not a document\n", documents[i].path);
      return 2;
    }
    documents[i].expected = malloc(bistand_buf_len(report) + 1);
    if (documents[i].expected == NULL) {
      return 2;
    }
    memcpy(documents[i].expected, bistand_buf_data(report), bistand_buf_len(report) + 1); /* with its NUL */
    bistand_buf_free(report);
  }

  shared.engine = engine;
  shared.documents = documents;
  shared.document_count = count;
  shared.rounds = rounds;
  for (i = 0; i < threads; i++) {
    workers[i].id = i;
    workers[i].shared = &shared;
    workers[i].failures = 0;
    if (pthread_create(&workers[i].thread, NULL, work, &workers[i]) != 0) {
      fprintf(stderr, "cannot start thread %d\n", i);
      return 2;
    }
  }
  for (i = 0; i < threads; i++) {
    pthread_join(workers[i].thread, NULL);
    failures += workers[i].failures;
  }

  for (i = 0; i < count; i++) {
    free(documents[i].data);
    free(documents[i].expected);
  }
  free(documents);
  bistand_engine_free(engine);

  printf("%d threads x %d rounds x %d documents: %d failures\n", threads, rounds, count, failures);
  return failures == 0 ? 0 : 1;
}
