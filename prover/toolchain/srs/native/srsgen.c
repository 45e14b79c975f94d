/*
 * srsgen: writes [tau^i]G1 for i = 0 .. n-1 on BN254 in Barretenberg's uncompressed g1 file format
 * (64 bytes per point: x then y, each a 32-byte big-endian integer in standard form).
 *
 * THIS IS FOR AN INSECURE DEVELOPMENT SRS. tau is given on the command line, so whoever runs this
 * knows the trapdoor and can forge proofs. Production uses the Aztec Ignition CRS instead.
 *
 * Method: fixed-base windowed multiplication. For a window width w, the table holds
 * d * 2^(w*j) * G for every window j and digit d in 1 .. 2^w - 1 (affine), so each point costs one
 * addition per non-zero window. The additions are affine and batched over a block of points, window
 * by window, sharing one field inversion per window and block (Montgomery's trick), so the result
 * is affine without a normalisation pass. Field arithmetic: Montgomery form on 4 x 64-bit limbs
 * with unsigned __int128 products. Blocks are handed out to pthreads.
 *
 * Usage: srsgen <out file> <points> <tau: 64 hex digits, big-endian> <threads> [window bits]
 * stdout: "progress <done> <total>" lines about every 250 ms, then "done <total> <cpu ms>".
 * Exit code 0 only when every point was written.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef uint64_t u64;
typedef unsigned __int128 u128;

typedef struct { u64 v[4]; } fe; /* little-endian limbs */

typedef struct {
  u64 p[4];  /* modulus */
  u64 inv;   /* -p^-1 mod 2^64 */
  fe one;    /* R mod p (1 in Montgomery form) */
  fe r2;     /* R^2 mod p */
} field;

static field FQ, FR;

/* BN254 base field modulus q and scalar field modulus r, little-endian limbs. */
static const u64 Q_MOD[4] = {0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};
static const u64 R_MOD[4] = {0x43e1f593f0000001ULL, 0x2833e84879b97091ULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL};

static int geq(const u64 *a, const u64 *b) {
  for (int i = 3; i >= 0; i--) {
    if (a[i] != b[i]) return a[i] > b[i];
  }
  return 1;
}

static void sub_raw(u64 *r, const u64 *a, const u64 *b) {
  u64 borrow = 0;
  for (int i = 0; i < 4; i++) {
    u128 d = (u128)a[i] - b[i] - borrow;
    r[i] = (u64)d;
    borrow = (u64)(d >> 64) & 1;
  }
}

/* r = a + b mod p (branch-free). Both moduli are < 2^254, so a + b never carries out of 256 bits. */
static inline void f_add(fe *r, const fe *a, const fe *b, const field *F) {
  u64 s[4], d[4], c = 0, borrow = 0;
  for (int i = 0; i < 4; i++) {
    u128 t = (u128)a->v[i] + b->v[i] + c;
    s[i] = (u64)t;
    c = (u64)(t >> 64);
  }
  for (int i = 0; i < 4; i++) {
    u128 t = (u128)s[i] - F->p[i] - borrow;
    d[i] = (u64)t;
    borrow = (u64)(t >> 64) & 1;
  }
  u64 keep = (u64)0 - borrow; /* all ones when s < p */
  for (int i = 0; i < 4; i++) r->v[i] = (s[i] & keep) | (d[i] & ~keep);
}

/* r = a - b mod p (branch-free). */
static inline void f_sub(fe *r, const fe *a, const fe *b, const field *F) {
  u64 d[4], borrow = 0, c = 0;
  for (int i = 0; i < 4; i++) {
    u128 t = (u128)a->v[i] - b->v[i] - borrow;
    d[i] = (u64)t;
    borrow = (u64)(t >> 64) & 1;
  }
  u64 mask = (u64)0 - borrow; /* add p back when a < b */
  for (int i = 0; i < 4; i++) {
    u128 t = (u128)d[i] + (F->p[i] & mask) + c;
    r->v[i] = (u64)t;
    c = (u64)(t >> 64);
  }
}

/*
 * Montgomery multiplication r = a * b * R^-1 mod p, CIOS with the "no-carry" shortcut: valid because
 * the top limb of both moduli is below (2^64 - 1) / 2 - 1, so the running result fits in 4 limbs.
 */
static inline void f_mul(fe *r, const fe *a, const fe *b, const field *F) {
  u64 t0 = 0, t1 = 0, t2 = 0, t3 = 0;
  for (int i = 0; i < 4; i++) {
    u64 bi = b->v[i];
    u128 A = (u128)a->v[0] * bi + t0;
    t0 = (u64)A;
    A >>= 64;
    u64 m = t0 * F->inv;
    u128 C = ((u128)m * F->p[0] + t0) >> 64;
    A += (u128)a->v[1] * bi + t1;
    t1 = (u64)A;
    A >>= 64;
    C += (u128)m * F->p[1] + t1;
    t0 = (u64)C;
    C >>= 64;
    A += (u128)a->v[2] * bi + t2;
    t2 = (u64)A;
    A >>= 64;
    C += (u128)m * F->p[2] + t2;
    t1 = (u64)C;
    C >>= 64;
    A += (u128)a->v[3] * bi + t3;
    t3 = (u64)A;
    A >>= 64;
    C += (u128)m * F->p[3] + t3;
    t2 = (u64)C;
    C >>= 64;
    t3 = (u64)C + (u64)A;
  }
  fe out = {{t0, t1, t2, t3}};
  if (geq(out.v, F->p)) sub_raw(out.v, out.v, F->p);
  *r = out;
}

static inline void f_sqr(fe *r, const fe *a, const field *F) { f_mul(r, a, a, F); }

static inline int f_is_zero(const fe *a) { return (a->v[0] | a->v[1] | a->v[2] | a->v[3]) == 0; }
static inline int f_eq(const fe *a, const fe *b) { return memcmp(a->v, b->v, sizeof a->v) == 0; }

static void f_to_mont(fe *r, const fe *a, const field *F) { f_mul(r, a, &F->r2, F); }

static void f_from_mont(fe *r, const fe *a, const field *F) {
  fe one = {{1, 0, 0, 0}};
  f_mul(r, a, &one, F);
}

/* a^e for a 256-bit exponent e (standard form), a in Montgomery form. */
static void f_pow(fe *r, const fe *a, const u64 *e, const field *F) {
  fe acc = F->one;
  for (int i = 255; i >= 0; i--) {
    f_sqr(&acc, &acc, F);
    if ((e[i / 64] >> (i % 64)) & 1) f_mul(&acc, &acc, a, F);
  }
  *r = acc;
}

static void f_inv(fe *r, const fe *a, const field *F) {
  u64 e[4];
  u64 two[4] = {2, 0, 0, 0};
  sub_raw(e, F->p, two);
  f_pow(r, a, e, F);
}

static void field_init(field *F, const u64 *p) {
  memcpy(F->p, p, sizeof F->p);
  u64 x = 1; /* Newton iteration for p^-1 mod 2^64 */
  for (int i = 0; i < 7; i++) x *= 2 - p[0] * x;
  F->inv = (u64)0 - x;
  fe acc = {{1, 0, 0, 0}};
  for (int i = 0; i < 512; i++) {
    f_add(&acc, &acc, &acc, F);
    if (i == 255) F->one = acc;
  }
  F->r2 = acc;
}

/* ---- BN254 G1: y^2 = x^3 + 3 over Fq ---- */

typedef struct { fe x, y; } affine;
typedef struct { fe x, y, z; } jacobian; /* z == 0 means the point at infinity */

static void jac_double(jacobian *r, const jacobian *p) {
  /* dbl-2009-l (a = 0) */
  if (f_is_zero(&p->z)) { *r = *p; return; }
  const field *F = &FQ;
  fe a, b, c, d, e, f, t, x3, y3, z3;
  f_sqr(&a, &p->x, F);
  f_sqr(&b, &p->y, F);
  f_sqr(&c, &b, F);
  f_add(&t, &p->x, &b, F);
  f_sqr(&t, &t, F);
  f_sub(&t, &t, &a, F);
  f_sub(&t, &t, &c, F);
  f_add(&d, &t, &t, F);
  f_add(&e, &a, &a, F);
  f_add(&e, &e, &a, F);
  f_sqr(&f, &e, F);
  f_add(&t, &d, &d, F);
  f_sub(&x3, &f, &t, F);
  f_sub(&t, &d, &x3, F);
  f_mul(&y3, &e, &t, F);
  f_add(&c, &c, &c, F);
  f_add(&c, &c, &c, F);
  f_add(&c, &c, &c, F);
  f_sub(&y3, &y3, &c, F);
  f_mul(&z3, &p->y, &p->z, F);
  f_add(&z3, &z3, &z3, F);
  r->x = x3; r->y = y3; r->z = z3;
}

/* r = p + q with q affine (madd-2007-bl), handling doubling and infinity. r may alias p. */
static void jac_add_affine(jacobian *r, const jacobian *p, const affine *q) {
  const field *F = &FQ;
  if (f_is_zero(&p->z)) { r->x = q->x; r->y = q->y; r->z = F->one; return; }
  fe z1z1, u2, s2, h, hh, i, j, rr, v, t, x3, y3, z3;
  f_sqr(&z1z1, &p->z, F);
  f_mul(&u2, &q->x, &z1z1, F);
  f_mul(&s2, &q->y, &p->z, F);
  f_mul(&s2, &s2, &z1z1, F);
  f_sub(&h, &u2, &p->x, F);
  f_sub(&rr, &s2, &p->y, F);
  if (f_is_zero(&h)) {
    if (f_is_zero(&rr)) { jac_double(r, p); return; }
    memset(r, 0, sizeof *r); /* p == -q */
    return;
  }
  f_add(&rr, &rr, &rr, F);
  f_sqr(&hh, &h, F);
  f_add(&i, &hh, &hh, F);
  f_add(&i, &i, &i, F);
  f_mul(&j, &h, &i, F);
  f_mul(&v, &p->x, &i, F);
  f_sqr(&x3, &rr, F);
  f_sub(&x3, &x3, &j, F);
  f_sub(&x3, &x3, &v, F);
  f_sub(&x3, &x3, &v, F);
  f_sub(&t, &v, &x3, F);
  f_mul(&y3, &rr, &t, F);
  f_mul(&t, &p->y, &j, F);
  f_add(&t, &t, &t, F);
  f_sub(&y3, &y3, &t, F);
  f_add(&z3, &p->z, &h, F);
  f_sqr(&z3, &z3, F);
  f_sub(&z3, &z3, &z1z1, F);
  f_sub(&z3, &z3, &hh, F);
  r->x = x3; r->y = y3; r->z = z3;
}

/* Converts n Jacobian points (none at infinity) to affine with a single inversion. scratch: n fe. */
static void batch_normalize(affine *out, const jacobian *in, size_t n, fe *scratch) {
  const field *F = &FQ;
  fe acc = F->one;
  for (size_t k = 0; k < n; k++) {
    scratch[k] = acc;
    f_mul(&acc, &acc, &in[k].z, F);
  }
  fe inv;
  f_inv(&inv, &acc, F);
  for (size_t k = n; k-- > 0;) {
    fe zinv, zinv2, zinv3;
    f_mul(&zinv, &inv, &scratch[k], F);
    f_mul(&inv, &inv, &in[k].z, F);
    f_sqr(&zinv2, &zinv, F);
    f_mul(&zinv3, &zinv2, &zinv, F);
    f_mul(&out[k].x, &in[k].x, &zinv2, F);
    f_mul(&out[k].y, &in[k].y, &zinv3, F);
  }
}

/* ---- fixed-base table and the worker threads ---- */

#define SCALAR_BITS 254 /* r < 2^254 */
#define BLOCK 4096

typedef struct {
  int w, windows;
  size_t per_window; /* 2^w - 1 */
  affine *table;     /* table[j * per_window + d - 1] = d * 2^(w j) * G */
} fixed_base;

static int build_table(fixed_base *fb, int w) {
  fb->w = w;
  fb->windows = (SCALAR_BITS + w - 1) / w;
  fb->per_window = ((size_t)1 << w) - 1;
  size_t total = fb->per_window * (size_t)fb->windows;
  fb->table = malloc(total * sizeof(affine));
  jacobian *jac = malloc(total * sizeof(jacobian));
  fe *scratch = malloc(total * sizeof(fe));
  if (!fb->table || !jac || !scratch) return -1;
  affine base; /* 2^(w j) G, affine */
  fe gx = {{1, 0, 0, 0}}, gy = {{2, 0, 0, 0}};
  f_to_mont(&base.x, &gx, &FQ);
  f_to_mont(&base.y, &gy, &FQ);
  for (int j = 0; j < fb->windows; j++) {
    jacobian *row = jac + (size_t)j * fb->per_window;
    row[0].x = base.x; row[0].y = base.y; row[0].z = FQ.one;
    for (size_t d = 1; d < fb->per_window; d++) jac_add_affine(&row[d], &row[d - 1], &base);
    jacobian next;
    jac_add_affine(&next, &row[fb->per_window - 1], &base); /* 2^w * base */
    batch_normalize(&base, &next, 1, scratch);
  }
  batch_normalize(fb->table, jac, total, scratch);
  free(jac);
  free(scratch);
  return 0;
}

static inline u64 window_digit(const u64 *k, int w, int j) {
  int bit = j * w;
  u64 digit = k[bit / 64] >> (bit % 64);
  if (bit % 64 + w > 64 && bit / 64 < 3) digit |= k[bit / 64 + 1] << (64 - bit % 64);
  return digit & (((u64)1 << w) - 1);
}

/*
 * acc[k] = scalars[k] * G for a block of scalars (standard form, each in [1, r)), in affine form.
 * Window-major: for window j every point of the block adds its table entry, and the block's
 * additions share one inversion (Montgomery's trick), so an affine addition costs about 6
 * multiplications instead of 11 for a mixed Jacobian addition; the window's table (2^w entries)
 * stays in cache. acc == +-table entry cannot happen for scalars below r (the partial sum of the
 * lower windows is < 2^(w j) <= the entry's multiple, and their sum is < r), so a zero
 * denominator means a bug: it is reported instead of producing a wrong point.
 */
static int fixed_base_mul_block(affine *acc, const fixed_base *fb, const u64 (*scalars)[4], size_t count,
                                fe *den, fe *prefix, uint32_t *pending, unsigned char *set) {
  const field *F = &FQ;
  memset(set, 0, count);
  for (int j = 0; j < fb->windows; j++) {
    const affine *row = fb->table + (size_t)j * fb->per_window;
    size_t n = 0;
    fe run = F->one;
    for (size_t k = 0; k < count; k++) {
      u64 d = window_digit(scalars[k], fb->w, j);
      if (!d) continue;
      const affine *q = &row[d - 1];
      if (!set[k]) { acc[k] = *q; set[k] = 1; continue; }
      f_sub(&den[n], &q->x, &acc[k].x, F);
      if (f_is_zero(&den[n])) return -1;
      prefix[n] = run;
      f_mul(&run, &run, &den[n], F);
      pending[n++] = (uint32_t)k;
    }
    if (!n) continue;
    fe inv;
    f_inv(&inv, &run, F);
    for (size_t t = n; t-- > 0;) {
      size_t k = pending[t];
      const affine *q = &row[window_digit(scalars[k], fb->w, j) - 1];
      fe dinv, lambda, x3, y3, tmp;
      f_mul(&dinv, &inv, &prefix[t], F);
      f_mul(&inv, &inv, &den[t], F);
      f_sub(&tmp, &q->y, &acc[k].y, F);
      f_mul(&lambda, &tmp, &dinv, F);
      f_sqr(&x3, &lambda, F);
      f_sub(&x3, &x3, &acc[k].x, F);
      f_sub(&x3, &x3, &q->x, F);
      f_sub(&tmp, &acc[k].x, &x3, F);
      f_mul(&y3, &lambda, &tmp, F);
      f_sub(&y3, &y3, &acc[k].y, F);
      acc[k].x = x3;
      acc[k].y = y3;
    }
  }
  for (size_t k = 0; k < count; k++) {
    if (!set[k]) return -1; /* scalar 0: impossible for tau != 0 */
  }
  return 0;
}

typedef struct {
  const fixed_base *fb;
  fe tau; /* Montgomery form over Fr */
  u64 n;
  int fd;
  u64 next_block;  /* atomic */
  u64 done_points; /* atomic */
  int failed;      /* atomic */
} job;

static void write_be32(uint8_t *out, const fe *a) {
  for (int i = 0; i < 4; i++) {
    u64 limb = a->v[3 - i];
    for (int b = 0; b < 8; b++) out[i * 8 + b] = (uint8_t)(limb >> (56 - 8 * b));
  }
}

static void fail(job *jb, const char *why) {
  if (!__atomic_exchange_n(&jb->failed, 1, __ATOMIC_SEQ_CST)) fprintf(stderr, "srsgen: %s\n", why);
}

static void *worker(void *arg) {
  job *jb = arg;
  u64 (*scalars)[4] = malloc(BLOCK * sizeof *scalars);
  affine *acc = malloc(BLOCK * sizeof(affine));
  fe *den = malloc(BLOCK * sizeof(fe));
  fe *prefix = malloc(BLOCK * sizeof(fe));
  uint32_t *pending = malloc(BLOCK * sizeof(uint32_t));
  unsigned char *set = malloc(BLOCK);
  uint8_t *buf = malloc(BLOCK * 64);
  if (!scalars || !acc || !den || !prefix || !pending || !set || !buf) {
    fail(jb, "out of memory");
    return NULL;
  }
  for (;;) {
    if (__atomic_load_n(&jb->failed, __ATOMIC_SEQ_CST)) break;
    u64 blk = __atomic_fetch_add(&jb->next_block, 1, __ATOMIC_SEQ_CST);
    u64 start = blk * BLOCK;
    if (start >= jb->n) break;
    size_t count = (size_t)(jb->n - start < BLOCK ? jb->n - start : BLOCK);
    u64 e[4] = {start, 0, 0, 0};
    fe s;
    f_pow(&s, &jb->tau, e, &FR); /* tau^start */
    for (size_t k = 0; k < count; k++) {
      fe std;
      f_from_mont(&std, &s, &FR);
      memcpy(scalars[k], std.v, sizeof std.v);
      f_mul(&s, &s, &jb->tau, &FR);
    }
    if (fixed_base_mul_block(acc, jb->fb, (const u64 (*)[4])scalars, count, den, prefix, pending, set)) {
      fail(jb, "degenerate addition (internal error)");
      break;
    }
    for (size_t k = 0; k < count; k++) {
      fe x, y;
      f_from_mont(&x, &acc[k].x, &FQ);
      f_from_mont(&y, &acc[k].y, &FQ);
      write_be32(buf + k * 64, &x);
      write_be32(buf + k * 64 + 32, &y);
    }
    size_t len = count * 64, off = 0;
    while (off < len) {
      ssize_t w = pwrite(jb->fd, buf + off, len - off, (off_t)(start * 64 + off));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) { fail(jb, w < 0 ? strerror(errno) : "short write"); break; }
      off += (size_t)w;
    }
    __atomic_fetch_add(&jb->done_points, count, __ATOMIC_SEQ_CST);
  }
  free(scalars); free(acc); free(den); free(prefix); free(pending); free(set); free(buf);
  return NULL;
}

static int parse_hex256(u64 *out, const char *s) {
  if (strlen(s) != 64) return -1;
  memset(out, 0, 4 * sizeof(u64));
  for (int i = 0; i < 64; i++) {
    char c = s[i];
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (v < 0) return -1;
    int nib = 63 - i; /* nibble index from the least significant end */
    out[nib / 16] |= (u64)v << (4 * (nib % 16));
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 5 || argc > 6) {
    fprintf(stderr, "usage: %s <out file> <points> <tau hex (64 digits)> <threads> [window bits]\n", argv[0]);
    return 2;
  }
  field_init(&FQ, Q_MOD);
  field_init(&FR, R_MOD);
  char *end;
  unsigned long long n = strtoull(argv[2], &end, 10);
  if (*end || n < 2 || n > (1ULL << 28) + 1024) { fprintf(stderr, "srsgen: bad point count\n"); return 2; }
  u64 tau_std[4];
  if (parse_hex256(tau_std, argv[3])) { fprintf(stderr, "srsgen: tau must be 64 hex digits\n"); return 2; }
  u64 zero[4] = {0, 0, 0, 0};
  if (geq(tau_std, R_MOD) || memcmp(tau_std, zero, sizeof zero) == 0) { fprintf(stderr, "srsgen: tau must be in [1, r)\n"); return 2; }
  long threads = strtol(argv[4], &end, 10);
  if (*end || threads < 1 || threads > 256) { fprintf(stderr, "srsgen: bad thread count\n"); return 2; }
  long w = argc == 6 ? strtol(argv[5], &end, 10) : 10;
  if (argc == 6 && (*end || w < 2 || w > 16)) { fprintf(stderr, "srsgen: window bits must be 2..16\n"); return 2; }

  int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) { perror("srsgen: open"); return 1; }
  fixed_base fb;
  if (build_table(&fb, (int)w)) { fprintf(stderr, "srsgen: out of memory\n"); return 1; }

  job jb = {.fb = &fb, .n = n, .fd = fd, .next_block = 0, .done_points = 0, .failed = 0};
  fe tau_fe = {{tau_std[0], tau_std[1], tau_std[2], tau_std[3]}};
  f_to_mont(&jb.tau, &tau_fe, &FR);

  pthread_t tid[256];
  for (long t = 0; t < threads; t++) {
    if (pthread_create(&tid[t], NULL, worker, &jb)) { fprintf(stderr, "srsgen: pthread_create failed\n"); return 1; }
  }
  for (;;) {
    u64 done = __atomic_load_n(&jb.done_points, __ATOMIC_SEQ_CST);
    if (done >= n || __atomic_load_n(&jb.failed, __ATOMIC_SEQ_CST)) break;
    printf("progress %llu %llu\n", (unsigned long long)done, n);
    fflush(stdout);
    struct timespec ts = {0, 250 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  for (long t = 0; t < threads; t++) pthread_join(tid[t], NULL);
  if (jb.failed) return 1;
  if (fsync(fd) || close(fd)) { perror("srsgen: fsync/close"); return 1; }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  unsigned long long cpu_ms = (unsigned long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
                              (unsigned long long)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
  printf("done %llu %llu\n", n, cpu_ms);
  fflush(stdout);
  free(fb.table);
  return 0;
}
