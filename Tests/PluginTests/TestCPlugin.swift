/// A small mask plugin in C (θ = M, one parameter per frequency of a shared mask) whose
/// every defect is switched on by a preprocessor flag, so the loader and adapter tests can
/// each build exactly the broken library they need with cc.
enum TestCPlugin {
  static let source = #"""
#include <math.h>
#include <string.h>
#include <stdlib.h>
#include "fourierlens_plugin.h"

#ifndef PLUGIN_NAME
#define PLUGIN_NAME "cfree"
#endif
#ifndef DESCRIPTOR_ABI
#define DESCRIPTOR_ABI FLENS_PLUGIN_ABI_VERSION
#endif

static const flens_host_services *host;

typedef struct { uint64_t count; } instance;

static flens_status create(const flens_plugin_descriptor *d, const flens_options *o, const flens_mask_request *r, void **out) {
  (void)d;
  if (o->count != 1) { host->set_error("expected one option"); return FLENS_ERROR_INVALID_ARGUMENT; }
#ifdef FAIL_CREATE
  host->set_error("create refused on purpose");
  return FLENS_ERROR_UNSUPPORTED;
#endif
  instance *i = malloc(sizeof *i);
  if (!i) return FLENS_ERROR_OUT_OF_MEMORY;
  i->count = r->mask_count;
  *out = i;
  return FLENS_OK;
}
static uint64_t parameter_count(void *p) {
#ifdef HUGE_COUNT
  (void)p; return UINT64_MAX;
#else
  return ((instance *)p)->count;
#endif
}
static flens_status initial(void *p, float *t, uint64_t n) {
  (void)p; for (uint64_t k = 0; k < n; k++) t[k] = 1; return FLENS_OK;
}
static flens_status forward(void *p, const float *t, uint64_t n, float *m, uint64_t mn) {
  (void)p; (void)n;
#ifdef FAIL_FORWARD
  (void)t; (void)mn;
  host->set_error("forward exploded: theta out of its domain");
  return FLENS_ERROR_NUMERICAL;
#endif
#ifdef SKIP_WRITE
  for (uint64_t k = 0; k + 1 < mn; k++) m[k] = t[k];
  return FLENS_OK;
#endif
  for (uint64_t k = 0; k < mn; k++) m[k] = t[k];
#ifdef NAN_FORWARD
  m[mn / 2] = NAN;
#endif
  return FLENS_OK;
}
static flens_status vjp(void *p, const float *t, uint64_t n, const float *g, uint64_t mn, float *out) {
  (void)p; (void)t; (void)mn;
#ifdef WRONG_VJP
  for (uint64_t k = 0; k < n; k++) out[k] = 2 * g[k];
#else
  for (uint64_t k = 0; k < n; k++) out[k] = g[k];
#endif
  return FLENS_OK;
}
static void destroy(void *p) { free(p); }

static const flens_mask_ops ops = {
#ifdef SMALL_OPS
  .struct_size = 8,
#else
  .struct_size = sizeof(flens_mask_ops),
#endif
  .create = create, .parameter_count = parameter_count, .initial_parameters = initial,
#ifdef NULL_FORWARD
  .forward = NULL,
#else
  .forward = forward,
#endif
  .vjp = vjp, .project = NULL, .destroy = destroy,
};

static const flens_parameter params[] = {{
  .struct_size = sizeof(flens_parameter), .type = FLENS_PARAM_FLOAT, .name = "gain", .help = "unused",
#ifdef BAD_DEFAULT
  .default_value = "7",
#else
  .default_value = "0.5",
#endif
  .minimum = 0, .maximum = 1, .flags = FLENS_PARAM_HAS_MIN | FLENS_PARAM_HAS_MAX, .choices = NULL,
}};

static const flens_plugin_descriptor descriptor = {
#ifdef SMALL_DESCRIPTOR
  .struct_size = 16,
#else
  .struct_size = sizeof(flens_plugin_descriptor),
#endif
  .abi_version = DESCRIPTOR_ABI, .kind = FLENS_KIND_MASK, .parameter_count = 1,
  .name = PLUGIN_NAME, .summary = "test mask", .parameters = params,
  .mask = &ops, .attack = NULL, .augmentation = NULL, .plugin_data = NULL,
};

#ifndef NO_ENTRY
FLENS_EXPORT flens_status flens_plugin_entry(uint32_t abi, const flens_host_services *h, const flens_registrar *r) {
  host = h;
#ifdef REFUSE_HOST
  (void)abi; (void)r;
  h->set_error("this plugin needs host ABI 7");
  return FLENS_ERROR_ABI;
#else
  if (abi != FLENS_PLUGIN_ABI_VERSION) return FLENS_ERROR_ABI;
  return r->add(r, &descriptor);
#endif
}
#else
FLENS_EXPORT int some_other_function(void) { return (int)descriptor.kind; }
#endif
"""#
}
