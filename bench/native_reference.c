/*
 * The native reference for the big-dump bench: the same statistics as `focal-eval score` on a
 * multiclass probabilities dump (per class: count, sum of ce, fl and p_t, easy count and sums,
 * the p_t histogram), in C, reading .npy files through mmap, on OpenMP threads. Built by
 * bench/native.ts with the system compiler (gcc -O3 -fopenmp -march=native).
 *
 *   p_t = clamp(p[y], eps, 1 - eps),  ce = -ln p_t,  fl = (1 - p_t)^gamma ce,
 *   easy when p_t >= threshold,  bin = min(floor(p_t B), B - 1);  a label of -100 is ignored.
 *
 * Each thread sums a contiguous block of rows into its own accumulators; the blocks are added
 * in thread order. Prints {"rows", "scored", "sumCE", "sumFL"} as JSON.
 *
 *   native_reference PROBS.npy LABELS.npy GAMMA EPSILON THRESHOLD BINS
 *
 * Built plain, it is the reference: it reads p[y] of each row from the mapped file and
 * nothing else. Two switches make it do what focal-eval must, to say where the gap lies:
 *   -DCHECK_ALL  every value of a row is checked to lie in [0, 1] (NaN fails) before the row is
 *                scored, as focal-eval checks every prediction (spec: bad input is an error,
 *                never a number); a row that fails is counted and left out
 *   -DPREAD      the rows are read with pread into a reused buffer of 65,536 rows per thread
 *                instead of through the map: a WebAssembly kernel cannot map a file, so
 *                focal-eval's workers copy every byte out of the page cache the same way
 */
#include <fcntl.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct { const unsigned char *data; size_t bytes; size_t header; int fd; } npy_t;

/* Maps a .npy file; returns its data (after the header) and its byte count. */
static npy_t map_npy(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) { perror(path); exit(2); }
  struct stat st;
  fstat(fd, &st);
  const unsigned char *p = mmap(NULL, st.st_size, PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) { perror("mmap"); exit(2); }
  if (memcmp(p, "\x93NUMPY", 6) != 0) { fprintf(stderr, "%s: not a .npy file\n", path); exit(2); }
  size_t header = p[6] == 1 ? 10 + (size_t)(p[8] | p[9] << 8) : 12 + (size_t)(p[8] | p[9] << 8 | p[10] << 16 | (size_t)p[11] << 24);
  npy_t out = { p + header, st.st_size - header, header, fd };
  return out;
}

enum { COUNT, SUM_CE, SUM_FL, SUM_PT, EASY_COUNT, EASY_CE, EASY_FL, FIELDS };

int main(int argc, char **argv) {
  if (argc != 7) { fprintf(stderr, "usage: %s PROBS.npy LABELS.npy GAMMA EPSILON THRESHOLD BINS\n", argv[0]); return 2; }
  npy_t probs = map_npy(argv[1]), labels = map_npy(argv[2]);
  const double gamma = atof(argv[3]), eps = atof(argv[4]), threshold = atof(argv[5]);
  const int bins = atoi(argv[6]);
  const size_t n = labels.bytes / 4;
  const int C = (int)(probs.bytes / 4 / n);
#ifndef PREAD
  const float *p = (const float *)probs.data;
  const int32_t *y = (const int32_t *)labels.data;
#endif
  const int threads = omp_get_max_threads();
  if (threads > 256) { fprintf(stderr, "at most 256 threads\n"); return 2; }
  const size_t width = (size_t)C * (FIELDS + bins);
  long bad[256] = {0}; /* rows left out by CHECK_ALL, per thread */
  double *acc = calloc((size_t)threads * width, sizeof(double));
#pragma omp parallel
  {
    const int t = omp_get_thread_num();
    double *a = acc + (size_t)t * width;
    const size_t from = n * t / threads, to = n * (t + 1) / threads;
#ifdef PREAD
    const size_t CHUNK = 65536;
    float *pbuf = malloc(CHUNK * C * 4);
    int32_t *ybuf = malloc(CHUNK * 4);
    for (size_t base = from; base < to; base += CHUNK) {
      const size_t m = to - base < CHUNK ? to - base : CHUNK;
      if (pread(probs.fd, pbuf, m * C * 4, probs.header + base * C * 4) != (ssize_t)(m * C * 4) ||
          pread(labels.fd, ybuf, m * 4, labels.header + base * 4) != (ssize_t)(m * 4)) { perror("pread"); exit(2); }
      const float *p = pbuf - base * C; /* row i of the chunk at p + i * C, as in the map */
      const int32_t *y = ybuf - base;
      const size_t chunkEnd = base + m;
#else
    {
      const size_t base = from, chunkEnd = to;
#endif
    for (size_t i = base; i < chunkEnd; i++) {
      const int c = y[i];
      if (c == -100) continue;
#ifdef CHECK_ALL
      int ok = 1;
      for (int k = 0; k < C; k++) ok &= (p[i * C + k] >= 0.0f) & (p[i * C + k] <= 1.0f);
      if (!ok) { bad[t]++; continue; }
#endif
      double pt = p[i * C + c];
      pt = pt < eps ? eps : pt > 1 - eps ? 1 - eps : pt;
      const double ce = -log(pt), omp = 1 - pt;
      const double fl = (gamma == 2 ? omp * omp : pow(omp, gamma)) * ce;
      double *g = a + (size_t)c * FIELDS;
      g[COUNT] += 1; g[SUM_CE] += ce; g[SUM_FL] += fl; g[SUM_PT] += pt;
      if (pt >= threshold) { g[EASY_COUNT] += 1; g[EASY_CE] += ce; g[EASY_FL] += fl; }
      int bin = (int)(pt * bins);
      if (bin >= bins) bin = bins - 1;
      a[(size_t)C * FIELDS + (size_t)c * bins + bin] += 1;
    }
    }
#ifdef PREAD
    free(pbuf);
    free(ybuf);
#endif
  }
  for (int t = 1; t < threads; t++)
    for (size_t k = 0; k < width; k++) acc[k] += acc[(size_t)t * width + k];
  double scored = 0, sumCE = 0, sumFL = 0;
  for (int c = 0; c < C; c++) { scored += acc[c * FIELDS + COUNT]; sumCE += acc[c * FIELDS + SUM_CE]; sumFL += acc[c * FIELDS + SUM_FL]; }
  long refused = 0;
  for (int t = 0; t < threads; t++) refused += bad[t];
  printf("{\"rows\": %zu, \"scored\": %.0f, \"refused\": %ld, \"sumCE\": %.17g, \"sumFL\": %.17g, \"threads\": %d}\n", n, scored, refused, sumCE, sumFL, threads);
  return 0;
}
