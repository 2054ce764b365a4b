/// A correct but ill-conditioned mask plugin in C: a soft union of Gaussian bumps (20 by
/// default), M(f) = 1 − Πₖ (1 − exp(−|f − cₖ|² / 2wₖ²)), θ = (cx, cy, w) per bump in cycles
/// per pixel, the bumps wide and overlapping around DC so M saturates near 1 over most of the
/// spectrum.
/// There ∂M/∂θ is small next to M, and a central difference of Σ g·M in Float32 at a 1 % step
/// loses most of its digits to rounding, although the VJP is exact. Flags plant wrong
/// gradients: VJP_SCALE=1.1f (every entry 10 % too large) and FLIP_WIDTH_SIGN (the widths'
/// entries of every other bump with the wrong sign). Shared layout only.
enum TestGaussianBumpsPlugin {
  static let source = #"""
#include <math.h>
#include <stdlib.h>
#include "fourierlens_plugin.h"

#ifndef VJP_SCALE
#define VJP_SCALE 1.0f
#endif

static const flens_host_services *host;

/* Options: the number of bumps, the radius of the ring their centres start on and their width. */
enum { OPT_BUMPS, OPT_RADIUS, OPT_WIDTH, OPT_COUNT };
static const flens_parameter params[OPT_COUNT] = {
  {sizeof(flens_parameter), FLENS_PARAM_INT, "bumps", "number of bumps", "20", 1, 64,
   FLENS_PARAM_HAS_MIN | FLENS_PARAM_HAS_MAX, NULL},
  {sizeof(flens_parameter), FLENS_PARAM_FLOAT, "radius", "ring of the initial centres (cycles/pixel)", "0.05", 0, 0.5,
   FLENS_PARAM_HAS_MIN | FLENS_PARAM_HAS_MAX, NULL},
  {sizeof(flens_parameter), FLENS_PARAM_FLOAT, "width", "initial width (cycles/pixel)", "0.35", 0.01, 2,
   FLENS_PARAM_HAS_MIN | FLENS_PARAM_HAS_MAX, NULL},
};

typedef struct { uint64_t size; int count; float radius, width; float *fx, *fy; } bumps;

static void destroy(void *p) {
  bumps *b = p;
  if (!b) return;
  free(b->fx); free(b->fy); free(b);
}

static flens_status create(const flens_plugin_descriptor *d, const flens_options *o, const flens_mask_request *r, void **out) {
  (void)d;
  if (r->layout != FLENS_MASK_SHARED) { host->set_error("gauss-bumps: shared masks only"); return FLENS_ERROR_UNSUPPORTED; }
  bumps *b = calloc(1, sizeof *b);
  if (!b) return FLENS_ERROR_OUT_OF_MEMORY;
  b->size = (uint64_t)r->height * r->width;
  b->count = (int)o->values[OPT_BUMPS].integer;
  b->radius = (float)o->values[OPT_RADIUS].number;
  b->width = (float)o->values[OPT_WIDTH].number;
  b->fx = malloc(b->size * sizeof(float));
  b->fy = malloc(b->size * sizeof(float));
  if (!b->fx || !b->fy) { destroy(b); return FLENS_ERROR_OUT_OF_MEMORY; }
  flens_status s = host->frequency_grid(r->transform, r->height, r->width, b->fy, b->fx);
  if (s != FLENS_OK) { destroy(b); return s; }
  *out = b;
  return FLENS_OK;
}

static uint64_t parameter_count(void *p) { return 3 * (uint64_t)((bumps *)p)->count; }

static flens_status initial(void *p, float *t, uint64_t n) {
  const bumps *b = p;
  (void)n;
  for (int k = 0; k < b->count; k++) {
    double a = 2 * M_PI * k / b->count;
    t[3 * k] = (float)(b->radius * cos(a)); t[3 * k + 1] = (float)(b->radius * sin(a)); t[3 * k + 2] = b->width;
  }
  return FLENS_OK;
}

/* 1 - exp(-|f - c_k|^2 / 2 w_k^2): how much of frequency i bump k leaves out. */
static float gap(const bumps *b, const float *t, int k, uint64_t i, float *e) {
  float dx = b->fx[i] - t[3 * k], dy = b->fy[i] - t[3 * k + 1], w = t[3 * k + 2];
  *e = expf(-(dx * dx + dy * dy) / (2 * w * w));
  return 1 - *e;
}

static flens_status forward(void *p, const float *t, uint64_t n, float *m, uint64_t mn) {
  const bumps *b = p;
  (void)n; (void)mn;
  for (uint64_t i = 0; i < b->size; i++) {
    float left = 1, e;
    for (int k = 0; k < b->count; k++) left *= gap(b, t, k, i, &e);
    m[i] = 1 - left;
  }
  return FLENS_OK;
}

/* dM/dtheta_k = (prod over the other bumps of their gaps) * de_k/dtheta_k. */
static flens_status vjp(void *p, const float *t, uint64_t n, const float *g, uint64_t mn, float *out) {
  const bumps *b = p;
  (void)mn;
  for (uint64_t j = 0; j < n; j++) out[j] = 0;
  for (uint64_t i = 0; i < b->size; i++) {
    for (int k = 0; k < b->count; k++) {
      float others = 1, e;
      for (int l = 0; l < b->count; l++) if (l != k) others *= gap(b, t, l, i, &e);
      gap(b, t, k, i, &e);
      float dx = b->fx[i] - t[3 * k], dy = b->fy[i] - t[3 * k + 1], w = t[3 * k + 2];
      float common = g[i] * others * e * VJP_SCALE;
      out[3 * k] += common * dx / (w * w);
      out[3 * k + 1] += common * dy / (w * w);
#ifdef FLIP_WIDTH_SIGN
      out[3 * k + 2] += (k % 2 ? -1 : 1) * common * (dx * dx + dy * dy) / (w * w * w);
#else
      out[3 * k + 2] += common * (dx * dx + dy * dy) / (w * w * w);
#endif
    }
  }
  return FLENS_OK;
}

static const flens_mask_ops ops = {
  .struct_size = sizeof(flens_mask_ops), .create = create, .parameter_count = parameter_count,
  .initial_parameters = initial, .forward = forward, .vjp = vjp, .project = NULL, .destroy = destroy,
};

static const flens_plugin_descriptor descriptor = {
  .struct_size = sizeof(flens_plugin_descriptor), .abi_version = FLENS_PLUGIN_ABI_VERSION, .kind = FLENS_KIND_MASK,
  .parameter_count = OPT_COUNT, .name = "gauss-bumps", .summary = "soft union of Gaussian bumps (test)", .parameters = params,
  .mask = &ops, .attack = NULL, .augmentation = NULL, .plugin_data = NULL,
};

FLENS_EXPORT flens_status flens_plugin_entry(uint32_t abi, const flens_host_services *h, const flens_registrar *r) {
  host = h;
  if (abi != FLENS_PLUGIN_ABI_VERSION) return FLENS_ERROR_ABI;
  return r->add(r, &descriptor);
}
"""#
}
