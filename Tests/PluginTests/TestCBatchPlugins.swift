/// A C attack and a C augmentation whose misbehaviour is chosen by preprocessor flags, for
/// the adapter tests: out-of-range or NaN outputs, a failure after writing half the batch,
/// and a model callback asked for something invalid.
enum TestCBatchPlugins {
  static let source = #"""
#include <math.h>
#include <stdlib.h>
#include "fourierlens_plugin.h"

static const flens_host_services *host;
static int token;

static flens_status create_attack(const flens_plugin_descriptor *d, const flens_options *o, void **out) {
  (void)d; (void)o; *out = &token; return FLENS_OK;
}
static flens_status run(void *inst, const flens_model *m, const float *x, uint64_t n, uint32_t c, uint32_t h,
                        uint32_t w, const int32_t *labels, uint64_t seed, float *out) {
  (void)inst; (void)seed;
  uint64_t size = n * c * h * w;
  for (uint64_t i = 0; i < size; i++) out[i] = x[i];
#ifdef OUT_OF_RANGE
  out[size - 1] = 1.5f;
#endif
#ifdef ATTACK_NAN
  out[n > 2 ? 2 * (size / n) + 17 : 0] = NAN; /* image 2, channel 1, row 0, column 1 of a 3x4x4 batch */
#endif
#ifdef BAD_LABEL
  int32_t *bad = malloc(n * sizeof(int32_t));
  float *losses = malloc(n * sizeof(float)), *grad = malloc(size * sizeof(float));
  for (uint64_t i = 0; i < n; i++) bad[i] = (int32_t)m->classes + 3;
  flens_status s = m->loss_grad(m->ctx, x, n, bad, FLENS_OBJECTIVE_CROSS_ENTROPY, NULL, losses, grad);
  free(bad); free(losses); free(grad);
  if (s != FLENS_OK) return s;
#else
  float *logits = malloc(n * m->classes * sizeof(float));
  flens_status s = m->logits(m->ctx, x, n, logits);
  free(logits);
  if (s != FLENS_OK) return s;
  (void)labels;
#endif
  return FLENS_OK;
}
static void destroy(void *p) { (void)p; }

static flens_status create_aug(const flens_plugin_descriptor *d, const flens_options *o, void **out) {
  (void)d; (void)o; *out = &token; return FLENS_OK;
}
static flens_status apply(void *inst, float *x, uint64_t n, uint32_t c, uint32_t h, uint32_t w, uint64_t seed) {
  (void)inst; (void)seed;
  uint64_t size = n * c * h * w;
  for (uint64_t i = 0; i < size / 2; i++) x[i] = 0.25f;
#ifdef FAIL_HALFWAY
  host->set_error("gave up half-way");
  return FLENS_ERROR_INTERNAL;
#endif
  for (uint64_t i = size / 2; i < size; i++) x[i] = 0.75f;
  return FLENS_OK;
}

static const flens_attack_ops attack_ops = {sizeof(flens_attack_ops), create_attack, run, destroy};
static const flens_augmentation_ops aug_ops = {sizeof(flens_augmentation_ops), create_aug, apply, destroy};
static const flens_plugin_descriptor attack = {
  .struct_size = sizeof(flens_plugin_descriptor), .abi_version = FLENS_PLUGIN_ABI_VERSION, .kind = FLENS_KIND_ATTACK,
  .name = "c-attack", .summary = "test attack", .attack = &attack_ops,
};
static const flens_plugin_descriptor augmentation = {
  .struct_size = sizeof(flens_plugin_descriptor), .abi_version = FLENS_PLUGIN_ABI_VERSION,
  .kind = FLENS_KIND_AUGMENTATION, .name = "c-augment", .summary = "test augmentation", .augmentation = &aug_ops,
};

FLENS_EXPORT flens_status flens_plugin_entry(uint32_t abi, const flens_host_services *h, const flens_registrar *r) {
  if (abi != FLENS_PLUGIN_ABI_VERSION) return FLENS_ERROR_ABI;
  host = h;
  flens_status s = r->add(r, &attack);
  if (s != FLENS_OK) return s;
  return r->add(r, &augmentation);
}
"""#
}
